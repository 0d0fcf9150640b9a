"""Data that alerts are judged on: daily series with a strong weekly rhythm, built as long CSV text
and loaded through the real importer."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date, timedelta

NETWORKS = ("instagram", "facebook")
REGIONS = ("fr", "us")
# Weekdays busy, weekends quiet: a Sunday is always a third of a Tuesday.
WEEKLY = (1.0, 1.05, 1.0, 0.95, 0.9, 0.4, 0.33)


def wobble(*key: object) -> float:
    """A deterministic ±5% wobble, so a series has spread (a MAD) but no trend."""
    digest = hashlib.sha256("|".join(map(str, key)).encode()).digest()
    return 0.95 + 0.1 * digest[0] / 255


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=k) for k in range((last - first).days + 1)]


def csv_rows(
    metric: str,
    first: date,
    last: date,
    value: Callable[[date, str, str], float | None],
) -> str:
    """Long CSV rows (date, metric, value, network, region) for each day, network and region."""
    lines = []
    for day in days(first, last):
        for network in NETWORKS:
            for region in REGIONS:
                number = value(day, network, region)
                if number is not None:
                    lines.append(f"{day.isoformat()},{metric},{number:.0f},{network},{region}")
    return "\n".join(lines)


def csv(*parts: str) -> str:
    return "date,metric,value,network,region\n" + "\n".join(p for p in parts if p) + "\n"


def rhythm(base: float, spike: dict[tuple[date, str, str], float] | None = None):
    """A value function: ``base`` per network and region, times the weekly rhythm and a wobble,
    times the factor of ``spike`` on its (day, network, region)."""

    def value(day: date, network: str, region: str) -> float:
        factor = (spike or {}).get((day, network, region), 1.0)
        return base * WEEKLY[day.weekday()] * wobble(day, network, region) * factor

    return value

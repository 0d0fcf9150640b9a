"""One KPI computed for a period: its value, comparisons, trend, breakdown and goal status.

The data every surface shows about a KPI; `/kpi <kpi>` (answers.py), the digests (digest.py) and App
Home all compute it here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from . import format as fmt
from . import goals as goal_math
from .catalog import Kpi
from .engine import Engine, Value
from .periods import Period


@dataclass
class Breakdown:
    group: str
    value: Value
    previous: Value


@dataclass
class KpiAnswer:
    kpi: Kpi
    period: Period
    filters: dict[str, str]
    by: str | None
    value: Value
    previous: Value
    year_ago: Value | None
    trend: list[tuple[Period, Value]]
    breakdown: list[Breakdown] = field(default_factory=list)
    goals: list[goal_math.GoalStatus] = field(default_factory=list)
    currency: str = "USD"
    tz: str = "UTC"
    latest: str | None = None
    dimensions: set[str] = field(default_factory=set)

    def show(self, v: Value | float | None) -> str:
        if isinstance(v, Value):
            return fmt.value(v.number, self.kpi.unit, self.currency, missing=v.missing or "no data")
        return fmt.value(v, self.kpi.unit, self.currency)

    def change(self, other: Value | None) -> str:
        if other is None:
            return "n/a"
        return fmt.change(self.value.number, other.number, self.kpi.unit)

    def tone(self, other: Value | None = None) -> str:
        other = other if other is not None else self.previous
        return fmt.direction(self.value.number, other.number, self.kpi.unit, self.kpi.lower_is_better)


def compute_kpi(
    engine: Engine,
    kpi: Kpi,
    period: Period,
    today: date,
    filters: dict[str, str] | None = None,
    by: str | None = None,
    with_goals: bool = True,
    trend_length: int = 8,
) -> KpiAnswer:
    """Value, comparisons, trend, breakdown and goal status of one KPI."""
    filters = filters or {}
    engine.check_slice(filters, by)
    trend_periods = period.trend(trend_length)
    ranges = [(p.start, p.end) for p in trend_periods]
    year_ago = period.year_ago() if period.compares_year_ago else None
    if year_ago is not None:
        ranges.append((year_ago.start, year_ago.end))
    now, before = trend_length - 1, trend_length - 2
    if by and len(ranges) > 2:
        # The breakdown shows two periods: slicing only those reads a seventh of the rows for six networks.
        results = engine.evaluate(kpi, ranges, filters)
        groups = engine.evaluate(kpi, ranges[before : now + 1], filters, by).groups
        pairs = {g: (values[1], values[0]) for g, values in groups.items()}
    else:
        results = engine.evaluate(kpi, ranges, filters, by)
        pairs = {g: (values[now], values[before]) for g, values in results.groups.items()}
    totals = results.totals
    breakdown = [Breakdown(g, value, previous) for g, (value, previous) in pairs.items()]
    breakdown.sort(key=lambda b: _rank(b.value, kpi.lower_is_better))
    statuses = []
    if with_goals:
        for goal in engine.store.goals(engine.team):
            if goal.kpi == kpi.name and goal.filters == filters:
                statuses.append(goal_math.evaluate(engine, goal, kpi, today))
    return KpiAnswer(
        kpi=kpi,
        period=period,
        filters=filters,
        by=by,
        value=totals[now],
        previous=totals[before],
        year_ago=totals[trend_length] if year_ago is not None else None,
        trend=list(zip(trend_periods, totals[:trend_length], strict=True)),
        breakdown=breakdown,
        goals=statuses,
        currency=engine.settings.currency,
        tz=engine.settings.tz,
        latest=engine.store.latest_date(engine.team),
        dimensions=results.dimensions,
    )


def _rank(value: Value, lower_is_better: bool) -> tuple[int, float]:
    if value.number is None:
        return (1, 0.0)
    return (0, value.number if lower_is_better else -value.number)

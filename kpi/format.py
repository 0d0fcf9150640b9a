"""Numbers as the spec writes them: in English (en-US, kept byte for byte as it always was) 4.3%,
12,345, 3.47, USD 12.34, +0.4 pp; in French from CLDR through Babel (locale_format.py): 4,3 %,
12 345, 3,47, 12,34 €, +0,4 pt. The language is the one being spoken (i18n.speaking)."""

from __future__ import annotations

import math
from datetime import date

from . import i18n
from .i18n import _

SPARK = "▁▂▃▄▅▆▇█"


def size(number: float, kind: str = "", decimals: int | None = None, *, signed: bool = False) -> str:
    """A size an alert states: a threshold, a change's limit or its move, a score: `9.5`, `20%`,
    `1.5 pp`, `+7.9` (``kind`` '', 'percent' or 'points'; ``decimals`` None: as few as the number
    needs, up to four). In French from CLDR: `9,5`, `20 %`, `1,5 pt`, `+7,9`."""
    if i18n.language() != "en":
        from .locale_format import size as localised

        return localised(number, kind, decimals, signed=signed)
    sign = "+" if signed else ""
    if decimals is None:
        text = f"{number:{sign},.4f}".rstrip("0").rstrip(".")
    else:
        text = f"{number:{sign},.{decimals}f}"
    return text + {"percent": "%", "points": " pp"}.get(kind, "")


def day(when: date) -> str:
    """A date as a person reads it: Nov 20, 2026 in English, 20 nov. 2026 in French."""
    if i18n.language() == "en":
        return when.strftime("%b %-d, %Y")
    from .locale_format import day as local_day

    return local_day(when)


def _missing(word: str) -> str:
    """The words for a value that is not there, in the language spoken."""
    known = {"no data": _("no data"), "n/a": _("n/a")}
    return known.get(word, word)


def value(number: float | None, unit: str, currency: str = "USD", *, missing: str = "no data") -> str:
    if number is None or (isinstance(number, float) and math.isnan(number)):
        return _missing(missing)
    if i18n.language() != "en":
        from .locale_format import value as localised

        return localised(number, unit, currency)
    if unit == "percent":
        return f"{number * 100:,.1f}%"
    if unit == "count":
        return f"{number:,.0f}"
    if unit == "ratio":
        return f"{number:,.2f}"
    if unit == "currency":
        return f"{currency} {number:,.2f}"
    if unit == "score":
        return f"{number:,.1f}"
    return f"{number:,.2f}"


def change(current: float | None, previous: float | None, unit: str) -> str:
    """The change from ``previous``: percentage points for percents, relative otherwise."""
    delta = change_amount(current, previous, unit)
    if delta is None:
        return _missing("n/a")
    shown = round(delta, 1) if unit == "score" else round(delta * 100, 1)
    if i18n.language() != "en":
        from .locale_format import change as localised

        return localised(shown, unit)
    text = f"{shown:+,.1f}" if shown else "0.0"
    if unit == "percent":
        return f"{text} pp"
    return text if unit == "score" else f"{text}%"


def change_amount(current: float | None, previous: float | None, unit: str) -> float | None:
    """The change as a number (fraction for relative changes), or None when it has no meaning."""
    if current is None or previous is None:
        return None
    if unit in ("percent", "score"):
        return current - previous
    if previous == 0:
        return None
    return (current - previous) / abs(previous)


def _shown_delta(current: float | None, previous: float | None, unit: str) -> float:
    """The change as it is displayed (one decimal): a change that shows as 0.0 is flat."""
    delta = change_amount(current, previous, unit)
    if delta is None:
        return 0.0
    return round(delta, 1) if unit == "score" else round(delta * 100, 1)


def direction(current: float | None, previous: float | None, unit: str, lower_is_better: bool) -> str:
    """'good', 'bad' or 'flat', following the KPI's direction (a falling bounce rate is good)."""
    delta = _shown_delta(current, previous, unit)
    if delta == 0:
        return "flat"
    return "good" if (delta > 0) != lower_is_better else "bad"


def arrow(current: float | None, previous: float | None, unit: str) -> str:
    delta = _shown_delta(current, previous, unit)
    if delta == 0:
        return "→"
    return "↑" if delta > 0 else "↓"


def sparkline(values: list[float | None]) -> str:
    """Eight bars for the trend; a period without a value is a middle dot."""
    present = [v for v in values if v is not None]
    if not present:
        return "·" * len(values)
    low, high = min(present), max(present)
    span = high - low
    out = []
    for v in values:
        if v is None:
            out.append("·")
        elif span == 0:
            out.append(SPARK[3])
        else:
            out.append(SPARK[round((v - low) / span * (len(SPARK) - 1))])
    return "".join(out)

"""The bounds of what kpibot stores and answers for, checked where input enters.

A value or a date outside them used to be stored and then break every answer that touched it (an
``inf`` in a sum, a trend reaching back before year 1), so they are refused at the door with a
message, by every entry point: `/kpi record`, imports, DM uploads and the push API.
"""

from __future__ import annotations

from datetime import date

# Larger than any count, amount or rate a marketing team records, small enough that sums of
# millions of such values stay finite.
MAX_VALUE = 1e15
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2199, 12, 31)
# A period's trend reaches eight periods back: ten years keeps it within the calendar.
MAX_PERIOD_DAYS = 3653
MAX_COMMAND_CHARS = 4000
# A file's columns, and one cell's characters: far beyond any export, small enough to check fast.
MAX_COLUMNS = 1000
MAX_CELL_CHARS = 10_000
MAX_FORMULA_DEPTH = 40
MAX_FORMULA_NODES = 2000
# Terms in a row (a + b + ... ) nest one deeper each; evaluation recurses once per level.
MAX_EXPANDED_DEPTH = 400


def storable(value: float) -> bool:
    """True for a finite number no larger than ``MAX_VALUE`` (False for nan and infinities)."""
    return -MAX_VALUE <= value <= MAX_VALUE


def value_problem(text: str) -> str:
    """Why a number that parsed cannot be stored, in the words of the person who typed it."""
    shown = text if len(text) <= 40 else text[:37] + "…"
    from .i18n import _

    return _(
        "`{typed}` is not a number kpibot can store: values are finite and at most 10^15 in size"
    ).format(typed=shown)


def in_calendar(day: date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY


def calendar_problem(text: str) -> str:
    text = text if len(text) <= 40 else text[:37] + "…"
    from .i18n import _

    return _("`{typed}` is outside the dates kpibot works with ({first} to {last})").format(
        typed=text, first=FIRST_DAY.year, last=LAST_DAY.year
    )

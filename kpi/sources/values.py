"""Cells as the platforms write them: numbers in their local style, and dates in a dozen forms.

Both parsers cache what they saw (a file repeats each date and many values) and raise ``CellError``
with a message naming the cell, so the importer can list each bad row.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from ..i18n import _
from ..limits import FIRST_DAY, LAST_DAY, calendar_problem, storable, value_problem

EMPTY = {"", "--", "-", "—", "n/a", "N/A"}
_US_GROUPED = re.compile(r"[-+]?\d{1,3}(,\d{3})+(\.\d+)?")
_EU_NUMBER = re.compile(r"[-+]?\d{1,3}([ \u00a0\u202f.]?\d{3})*(,\d+)?")
_MONTHS = {
    "jan": 1, "janv": 1, "feb": 2, "fev": 2, "fév": 2, "févr": 2, "fevr": 2, "mar": 3, "mars": 3, "apr": 4, "avr": 4,
    "may": 5, "mai": 5, "jun": 6, "juin": 6, "jul": 7, "juil": 7, "aug": 8, "aout": 8, "août": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12, "déc": 12,
}  # fmt: skip
_WORDY = re.compile(r"(?:[A-Za-zéû]+\.?,?\s+)?([A-Za-zéûô]+)\.?\s+(\d{1,2}),?\s+(\d{4})")
_WORDY_DAY_FIRST = re.compile(r"(?:[A-Za-zéû]+\.?,?\s+)?(\d{1,2})\s+([A-Za-zéûô]+)\.?\s+(\d{4})")


_MISSING = object()


class CellError(ValueError):
    pass


class Numbers:
    """Reads numbers in one style: `us` (`1,234.56`) or `eu` (`1 234,56`, `1.234,56`, narrow or
    non-breaking spaces), both with `--` and friends as empty."""

    def __init__(self, style: str = "us") -> None:
        self.style = style
        self.cache: dict[str, float | None] = {}

    def __call__(self, cell: object) -> float | None:
        if type(cell) is str:
            cached = self.cache.get(cell, _MISSING)
            if cached is not _MISSING:
                return cached  # type: ignore[return-value]
            number = self._text(cell)
            if len(self.cache) < 200_000:
                self.cache[cell] = number
            return number
        return self._other(cell)

    def _text(self, text: str) -> float | None:
        try:
            number = float(text)
        except ValueError:
            number = self._styled(text.strip())
            if number is None:
                return None
        return self._checked(number, text)

    def _checked(self, number: float, cell: object) -> float:
        if math.isnan(number):
            raise CellError(_("`{typed}` is not a number").format(typed=cell))
        if not storable(number):
            raise CellError(value_problem(str(cell).strip()))
        return number

    def _other(self, cell: object) -> float | None:
        if cell is None:
            return None
        if isinstance(cell, bool):
            raise CellError(_("`{typed}` is not a number").format(typed=cell))
        if isinstance(cell, int | float):
            return self._checked(float(cell), cell)
        return self._text(str(cell))

    def _styled(self, raw: str) -> float | None:
        if raw in EMPTY:
            return None
        if self.style == "eu" and _EU_NUMBER.fullmatch(raw):
            cleaned = re.sub(r"[ \u00a0\u202f.]", "", raw).replace(",", ".")
            return float(cleaned)
        if self.style == "us" and _US_GROUPED.fullmatch(raw):
            return float(raw.replace(",", ""))
        raise CellError(_("`{typed}` is not a number").format(typed=raw))


def _iso(text: str) -> date | None:
    head = text[:10]
    if len(head) == 10 and head[4] == "-" and head[7] == "-":
        return date.fromisoformat(head)
    return None


def _compact(text: str) -> date | None:  # GA4: 20261005
    if len(text) == 8 and text.isdigit():
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    return None


def _month_first(text: str) -> date | None:  # LinkedIn: 10/05/2026
    parts = text.split(" ")[0].split("/")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        return date(int(parts[2]), int(parts[0]), int(parts[1]))
    return None


def _day_first(text: str) -> date | None:  # French exports: 05/10/2026
    parts = text.split(" ")[0].split("/")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        return date(int(parts[2]), int(parts[1]), int(parts[0]))
    return None


def _month(name: str) -> int:
    word = name.lower().rstrip(".")
    for size in (5, 4, 3):
        month = _MONTHS.get(word[:size])
        if month is not None:
            return month
    raise ValueError(name)


def _words(text: str) -> date | None:  # X: "Tue, Aug 25, 2026"; Google Ads: "Aug 25, 2026"; "25 août 2026"
    found = _WORDY.fullmatch(text)
    if found:
        return date(int(found.group(3)), _month(found.group(1)), int(found.group(2)))
    found = _WORDY_DAY_FIRST.fullmatch(text)
    if found:
        return date(int(found.group(3)), _month(found.group(2)), int(found.group(1)))
    return None


DAY_PARSERS: dict[str, Callable[[str], date | None]] = {
    "iso": _iso,
    "compact": _compact,
    "month_first": _month_first,
    "day_first": _day_first,
    "words": _words,
}
_ZONED = re.compile(r"(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2})?)\s*(Z|[+-]\d{2}:?\d{2})")


class Days:
    """Reads a date cell into an ISO day with the profile's parsers, tried in order.

    A time with an offset (`2026-09-18 12:00 +0000`) is an instant: its day is the team's. A
    workbook's real date cells need no parsing.
    """

    def __init__(self, parsers: tuple[str, ...], tz: str, start: date | None = None) -> None:
        self.parsers = [DAY_PARSERS[p] for p in parsers]
        self.tz = ZoneInfo(tz)
        self.start = start
        self.cache: dict[object, str] = {}

    def __call__(self, cell: object) -> str:
        cached = self.cache.get(cell)
        if cached is not None:
            return cached
        day = self._parse(cell)
        if not FIRST_DAY <= day <= LAST_DAY:
            raise CellError(calendar_problem(str(cell)))
        iso = day.isoformat()
        if len(self.cache) < 100_000:
            self.cache[cell] = iso
        return iso

    def _parse(self, cell: object) -> date:
        if isinstance(cell, datetime):
            return (cell.astimezone(self.tz) if cell.tzinfo else cell).date()
        if isinstance(cell, date):
            return cell
        text = " ".join(str(cell).strip().strip('"').split())
        if not text:
            raise CellError("the date is empty")
        zoned = _ZONED.fullmatch(text)
        try:
            if zoned:
                offset = zoned.group(3).replace("Z", "+0000").replace(":", "")
                moment = datetime.strptime(
                    f"{zoned.group(1)} {zoned.group(2)[:5]} {offset}", "%Y-%m-%d %H:%M %z"
                )
                return moment.astimezone(self.tz).date()
            for parser in self.parsers:
                day = parser(text)
                if day is not None:
                    return day
        except (ValueError, OverflowError):
            pass
        raise CellError(_("`{typed}` is not a date this export uses").format(typed=text))

    def offset(self, cell: object) -> str:
        """GA4's `Nth day`: days after the report's start date."""
        if self.start is None:
            raise CellError("an `Nth day` column needs the `# Start date:` line GA4 writes above the table")
        try:
            number = int(float(str(cell).strip()))
        except ValueError:
            raise CellError(_("`{typed}` is not a day number").format(typed=cell)) from None
        if not 0 <= number <= 36_600:
            raise CellError(_("`{typed}` is not a day number").format(typed=cell))
        return (self.start + timedelta(days=number)).isoformat()

"""Periods: the words and literals people type, resolved against today in the team's time zone.

A period is a unit (day, week, month, quarter, year) times a count, starting on a unit boundary, so
that "the previous period of the same kind" and "the same period a year before" are plain shifts. A
period still running ("this week") is cut at today, and its comparisons are cut to the same number of
days, so a week to date is compared with the same days of the week before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import i18n, lexicon
from .errors import InvalidPeriod
from .i18n import _
from .limits import FIRST_DAY, LAST_DAY, MAX_PERIOD_DAYS

PERIOD_EXAMPLES = (
    "last week, this month, last quarter, ytd, last 30 days, 2026-W46, 2026-11, 2026-Q3, 2026, "
    "2026-11-01..2026-11-15"
)

_UNIT_WORDS = {
    "day": "day",
    "days": "day",
    "week": "week",
    "weeks": "week",
    "month": "month",
    "months": "month",
    "quarter": "quarter",
    "quarters": "quarter",
    "year": "year",
    "years": "year",
}
_MONTHS_IN = {"month": 1, "quarter": 3, "year": 12}
_UNIT_DAYS = {"day": 1, "week": 7, "month": 28, "quarter": 90, "year": 365}


@dataclass(frozen=True)
class Period:
    unit: str
    count: int
    start: date
    end: date
    partial: bool = False
    ytd: bool = False

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def full_end(self) -> date:
        return _shift(self.unit, self.start, self.count) - timedelta(days=1)

    def shifted(self, periods: int) -> Period:
        """The period ``periods`` steps away (negative: earlier), cut to the same length if partial."""
        return self._moved(self.unit, self.count * periods)

    def _moved(self, unit: str, steps: int) -> Period:
        start = _shift(unit, self.start, steps)
        full_end = _shift(self.unit, start, self.count) - timedelta(days=1)
        end = min(full_end, start + (self.end - self.start)) if self.partial else full_end
        return replace(self, start=start, end=end)

    def previous(self) -> Period:
        return self.shifted(-1)

    def year_ago(self) -> Period:
        if self.unit == "week":
            return self._moved("week", -52)
        if self.unit == "day":
            return self._moved("day", -364)
        return self._moved("month", -12)

    @property
    def compares_year_ago(self) -> bool:
        return self.unit in ("quarter", "year") and self.count == 1

    def trend(self, n: int = 8) -> list[Period]:
        """The ``n`` periods ending with this one, oldest first."""
        return [self.shifted(k) for k in range(-(n - 1), 1)]

    @property
    def kind_word(self) -> str:
        """'week' for a week, '4 weeks' for a four-week period: used in 'vs previous week'."""
        if self.ytd:
            return "year to date"
        if self.count == 1:
            return self.unit
        return f"{self.count} {self.unit}s"

    @property
    def label(self) -> str:
        if i18n.language() != "en":
            return self._local_label()
        suffix = " (to date)" if self.partial else ""
        if self.ytd:
            return f"{self.start.year} to {_day_label(self.end)}"
        if self.count == 1:
            if self.unit == "day":
                return f"{self.start.strftime('%a')} {_day_label(self.start)}{suffix}"
            if self.unit == "week":
                year, week, _ = self.start.isocalendar()
                return f"Week {week}, {year} ({_range_label(self.start, self.full_end())}){suffix}"
            if self.unit == "month":
                return f"{self.start.strftime('%B %Y')}{suffix}"
            if self.unit == "quarter":
                return f"Q{(self.start.month - 1) // 3 + 1} {self.start.year}{suffix}"
            if self.unit == "year":
                return f"{self.start.year}{suffix}"
        return _range_label(self.start, self.end) + suffix

    def _local_label(self) -> str:
        """The label in the language spoken: semaine 48 (23–29 nov. 2026), T3 2026, novembre 2026."""
        from . import locale_format as lf

        suffix = _(" (to date)") if self.partial else ""
        if self.ytd:
            return _("{year} to {day}").format(year=self.start.year, day=lf.day(self.end))
        if self.count == 1:
            if self.unit == "day":
                return lf.day_with_weekday(self.start) + suffix
            if self.unit == "week":
                year, week, _weekday = self.start.isocalendar()
                text = _("Week {week}, {year} ({span})")
                return text.format(week=week, year=year, span=lf.span(self.start, self.full_end())) + suffix
            if self.unit == "month":
                return lf.month(self.start) + suffix
            if self.unit == "quarter":
                quarter = (self.start.month - 1) // 3 + 1
                return _("Q{quarter} {year}").format(quarter=quarter, year=self.start.year) + suffix
            if self.unit == "year":
                return f"{self.start.year}{suffix}"
        return lf.span(self.start, self.end) + suffix

    @property
    def short_label(self) -> str:
        """A few characters for trend axes: W46, Nov, Q3 26, 2026, 11-01."""
        if i18n.language() != "en" and self.count == 1 and not self.ytd:
            from . import locale_format as lf

            if self.unit == "week":
                return _("W{week}").format(week=f"{self.start.isocalendar()[1]:02d}")
            if self.unit == "month":
                return lf.short_month(self.start)
            if self.unit == "quarter":
                quarter = (self.start.month - 1) // 3 + 1
                return _("Q{quarter} {year}").format(quarter=quarter, year=self.start.strftime("%y"))
        if self.count == 1 and not self.ytd:
            if self.unit == "week":
                return f"W{self.start.isocalendar()[1]:02d}"
            if self.unit == "month":
                return self.start.strftime("%b %y")
            if self.unit == "quarter":
                return f"Q{(self.start.month - 1) // 3 + 1} {self.start.strftime('%y')}"
            if self.unit == "year":
                return str(self.start.year)
        if self.ytd:
            return str(self.start.year)
        return self.start.strftime("%m-%d")

    @property
    def code(self) -> str:
        """A literal that parses back to this period (used in buttons such as "Previous period")."""
        if self.count == 1 and not self.partial and not self.ytd:
            if self.unit == "week":
                year, week, _ = self.start.isocalendar()
                return f"{year}-W{week:02d}"
            if self.unit == "month":
                return self.start.strftime("%Y-%m")
            if self.unit == "quarter":
                return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
            if self.unit == "year":
                return str(self.start.year)
            if self.unit == "day":
                return self.start.isoformat()
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


def _day_label(day: date) -> str:
    return f"{day.strftime('%b')} {day.day}, {day.year}"


def _range_label(start: date, end: date) -> str:
    if start == end:
        return _day_label(start)
    if start.year == end.year:
        if start.month == end.month:
            return f"{start.strftime('%b')} {start.day}–{end.day}, {end.year}"
        return f"{start.strftime('%b')} {start.day} – {end.strftime('%b')} {end.day}, {end.year}"
    return f"{_day_label(start)} – {_day_label(end)}"


def _shift(unit: str, day: date, steps: int) -> date:
    if unit == "day":
        return day + timedelta(days=steps)
    if unit == "week":
        return day + timedelta(weeks=steps)
    months = day.year * 12 + (day.month - 1) + steps * _MONTHS_IN[unit]
    return date(months // 12, months % 12 + 1, 1)


def _unit_start(unit: str, day: date) -> date:
    if unit == "day":
        return day
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    if unit == "quarter":
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return date(day.year, 1, 1)


def _calendar(unit: str, start: date, count: int = 1) -> Period:
    return Period(unit, count, start, _shift(unit, start, count) - timedelta(days=1))


def _to_date(today: date, period: Period) -> Period:
    if period.end <= today or period.start > today:
        return period
    return replace(period, end=today, partial=True)


_LITERALS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^(\d{4})-(\d{2})-(\d{2})\s*(?:\.\.|to)\s*(\d{4})-(\d{2})-(\d{2})$"), "range"),
    (re.compile(r"^(\d{4})-w(\d{1,2})$"), "week"),
    (re.compile(r"^(\d{4})-q([1-4])$"), "quarter"),
    (re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"), "day"),
    (re.compile(r"^(\d{4})-(\d{2})$"), "month"),
    (re.compile(r"^(\d{4})$"), "year"),
]


def parse_period(text: str, today: date) -> Period:
    """Resolve a period typed by a person against ``today`` (a date in the team's time zone)."""
    raw = lexicon.period(text)
    if not raw:
        return _calendar("week", _unit_start("week", today)).shifted(-1)
    try:
        period = _parse(raw, today)
    except (ValueError, OverflowError):
        raise InvalidPeriod(
            _("I don't know the period `{typed}`. Try one of: {examples}.").format(
                typed=text.strip()[:60], examples=_examples()
            )
        ) from None
    _check_span(period, raw)
    return period


def _examples() -> str:
    """The period examples, the French ones when French is spoken."""
    return PERIOD_EXAMPLES if i18n.language() == "en" else FRENCH_PERIOD_EXAMPLES


FRENCH_PERIOD_EXAMPLES = (
    "hier, la semaine dernière, ce mois-ci, le trimestre dernier, les 30 derniers jours, S46 2026, "
    "novembre 2026, T3 2026, 2026, du 2026-11-01 au 2026-11-15"
)


def _outside(typed: str) -> InvalidPeriod:
    return InvalidPeriod(
        _(
            "`{typed}` is outside the dates kpibot works with ({first} to {last}). Try one of: {examples}."
        ).format(typed=typed[:60], first=FIRST_DAY.year, last=LAST_DAY.year, examples=_examples())
    )


def _too_long(typed: str) -> InvalidPeriod:
    return InvalidPeriod(
        _(
            "`{typed}` is longer than ten years; ask for at most ten years at a time, "
            "such as `last 10 years` or `2016-01-01..2025-12-31`."
        ).format(typed=typed[:60])
    )


def _check_span(period: Period, typed: str) -> None:
    """A period within the calendar kpibot keeps, and short enough that its trend (eight periods
    back) and the year before stay within real dates."""
    if period.start < FIRST_DAY or period.full_end() > LAST_DAY:
        raise _outside(typed)
    if period.days > MAX_PERIOD_DAYS:
        raise _too_long(typed)


def _parse(raw: str, today: date) -> Period:
    if raw == "today":
        return Period("day", 1, today, today)
    if raw == "yesterday":
        day = today - timedelta(days=1)
        return Period("day", 1, day, day)
    if raw in ("ytd", "year to date", "this year to date"):
        start = date(today.year, 1, 1)
        return Period("year", 1, start, max(start, today), partial=True, ytd=True)
    words = raw.split()
    if len(words) == 2 and words[0] in ("this", "last") and words[1] in ("week", "month", "quarter", "year"):
        current = _calendar(words[1], _unit_start(words[1], today))
        if words[0] == "last":
            return current.shifted(-1)
        return _to_date(today, current)
    if len(words) == 3 and words[0] in ("last", "past") and words[2] in _UNIT_WORDS:
        if not words[1].isascii() or not words[1].isdigit():
            raise ValueError(words[1])
        unit = _UNIT_WORDS[words[2]]
        if len(words[1]) > 5 or int(words[1]) * _UNIT_DAYS[unit] > MAX_PERIOD_DAYS:
            raise _too_long(raw)
        count = int(words[1])
        if count < 1:
            raise ValueError(count)
        if unit == "day":
            end = today - timedelta(days=1)
            return Period("day", count, end - timedelta(days=count - 1), end)
        this_start = _unit_start(unit, today)
        start = _shift(unit, this_start, -count)
        return _calendar(unit, start, count)
    for pattern, kind in _LITERALS:
        match = pattern.match(raw)
        if not match:
            continue
        g = [int(x) for x in match.groups()]
        if not FIRST_DAY.year <= g[0] <= LAST_DAY.year or (
            kind == "range" and not FIRST_DAY.year <= g[3] <= LAST_DAY.year
        ):
            raise _outside(raw)
        if kind == "range":
            start, end = date(g[0], g[1], g[2]), date(g[3], g[4], g[5])
            if start > end:
                raise InvalidPeriod(
                    _(
                        "The period `{typed}` ends before it starts. Write the earlier date first, as in `{fixed}`."
                    ).format(typed=raw, fixed=f"{end.isoformat()}..{start.isoformat()}")
                )
            return Period("day", (end - start).days + 1, start, end)
        if kind == "week":
            weeks_in_year = date(g[0], 12, 28).isocalendar()[1]
            if not 1 <= g[1] <= weeks_in_year:
                raise InvalidPeriod(
                    _("{year} has ISO weeks 1 to {weeks}, so `{typed}` is not a week. Try `{fixed}`.").format(
                        year=g[0], weeks=weeks_in_year, typed=raw, fixed=f"{g[0]}-W{weeks_in_year:02d}"
                    )
                )
            return _to_date(today, _calendar("week", date.fromisocalendar(g[0], g[1], 1)))
        if kind == "quarter":
            return _to_date(today, _calendar("quarter", date(g[0], 3 * g[1] - 2, 1)))
        if kind == "day":
            day = date(g[0], g[1], g[2])
            return Period("day", 1, day, day)
        if kind == "month":
            return _to_date(today, _calendar("month", date(g[0], g[1], 1)))
        if kind == "year":
            return _to_date(today, _calendar("year", date(g[0], 1, 1)))
    raise ValueError(raw)


def zone(name: str) -> ZoneInfo:
    """The IANA zone, or an error naming the bad value and an example of a good one."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, IsADirectoryError) as exc:
        raise InvalidPeriod(
            _("`{typed}` is not a time zone I know. Use an IANA name such as `Europe/Paris`.").format(
                typed=name
            )
        ) from exc


def today_in(tz: str, now: datetime) -> date:
    """Today's date for the team: ``now`` is an aware datetime from the caller's clock."""
    return now.astimezone(zone(tz)).date()

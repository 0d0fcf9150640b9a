"""When digests are due: pure functions of time, in the subscription's time zone.

Weekly digests fire on a weekday at a time (default Monday 09:00) and cover the last complete ISO
week; quarterly digests fire on the first such weekday of January, April, July and October and
cover the last complete quarter. A wall-clock time that does not exist (skipped by a DST change) is
skipped, as APScheduler's cron trigger does; the scheduler's triggers are tested against these.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from .periods import Period, parse_period, zone

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
QUARTER_MONTHS = (1, 4, 7, 10)


def _at(day: date, hhmm: str, tz: str) -> datetime | None:
    """The aware datetime of a wall-clock time that day, or None when DST skips it."""
    hours, minutes = (int(x) for x in hhmm.split(":"))
    moment = datetime.combine(day, time(hours, minutes), tzinfo=zone(tz))
    round_trip = moment.astimezone(zone("UTC")).astimezone(zone(tz))
    return moment if round_trip.replace(tzinfo=None) == moment.replace(tzinfo=None) else None


def _fires_on(cadence: str, weekday: str, day: date) -> bool:
    if day.weekday() != DAYS.index(weekday):
        return False
    return cadence == "weekly" or (day.month in QUARTER_MONTHS and day.day <= 7)


def next_run(cadence: str, weekday: str, hhmm: str, tz: str, after: datetime) -> datetime:
    """The first scheduled moment strictly after ``after``."""
    day = after.astimezone(zone(tz)).date()
    for _ in range(400):
        if _fires_on(cadence, weekday, day):
            moment = _at(day, hhmm, tz)
            if moment is not None and moment > after:
                return moment
        day += timedelta(days=1)
    raise ValueError("no run within 400 days")


def last_run(cadence: str, weekday: str, hhmm: str, tz: str, at: datetime) -> datetime:
    """The latest scheduled moment at or before ``at``."""
    day = at.astimezone(zone(tz)).date()
    for _ in range(400):
        if _fires_on(cadence, weekday, day):
            moment = _at(day, hhmm, tz)
            if moment is not None and moment <= at:
                return moment
        day -= timedelta(days=1)
    raise ValueError("no run within 400 days")


def period_of_run(cadence: str, fired: datetime, tz: str) -> Period:
    """What a digest fired at ``fired`` covers: the last complete week or quarter in its zone."""
    local = fired.astimezone(zone(tz)).date()
    return parse_period("last week" if cadence == "weekly" else "last quarter", local)

"""When digests fire: pure trigger math, checked against APScheduler's cron triggers."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.scheduler import cron_trigger
from kpi.schedule import last_run, next_run, period_of_run
from kpi.store import Subscription

PARIS = ZoneInfo("Europe/Paris")


def sub(cadence="weekly", day="mon", time="09:00", tz="Europe/Paris"):
    return Subscription(1, "C1", cadence, [], day, time, tz, "U1")


@pytest.mark.parametrize(
    "after, expected",
    [
        # Summer time (UTC+2): Monday 19 October 2026, 09:00 in Paris is 07:00 UTC.
        (datetime(2026, 10, 16, 12, tzinfo=UTC), datetime(2026, 10, 19, 7, tzinfo=UTC)),
        # The clocks go back on Sunday 25 October: the next Monday 09:00 is 08:00 UTC.
        (datetime(2026, 10, 19, 8, tzinfo=UTC), datetime(2026, 10, 26, 8, tzinfo=UTC)),
        # Spring forward on 29 March 2026: Monday 30 March 09:00 is 07:00 UTC again.
        (datetime(2026, 3, 27, tzinfo=UTC), datetime(2026, 3, 30, 7, tzinfo=UTC)),
    ],
    ids=["summer-time", "dst-end-2026-10-25", "dst-start-2026-03-29"],
)
def test_next_monday_nine_in_paris_across_dst(after, expected):
    assert next_run("weekly", "mon", "09:00", "Europe/Paris", after) == expected
    assert cron_trigger(sub()).get_next_fire_time(None, after) == expected


@pytest.mark.parametrize(
    "after, expected_local",
    [
        (datetime(2026, 9, 20, tzinfo=UTC), datetime(2026, 10, 5, 9)),
        (datetime(2026, 10, 5, 8, tzinfo=UTC), datetime(2027, 1, 4, 9)),
        (datetime(2027, 1, 4, 9, tzinfo=UTC), datetime(2027, 4, 5, 9)),
    ],
    ids=["q4-2026", "q1-2027", "q2-2027"],
)
def test_first_monday_of_a_quarter(after, expected_local):
    expected = expected_local.replace(tzinfo=PARIS)
    assert next_run("quarterly", "mon", "09:00", "Europe/Paris", after) == expected
    assert cron_trigger(sub("quarterly")).get_next_fire_time(None, after) == expected


def test_day_names_not_numbers():
    """APScheduler 3 counts day_of_week from Monday = 0 even in from_crontab; we pass names."""
    start = datetime(2026, 11, 18, tzinfo=UTC)
    for day, weekday in [("mon", 0), ("fri", 4), ("sun", 6)]:
        fire = cron_trigger(sub(day=day)).get_next_fire_time(None, start)
        assert fire.astimezone(PARIS).weekday() == weekday


@pytest.mark.parametrize(
    "cadence, tz",
    [
        ("weekly", "Europe/Paris"),
        ("weekly", "America/New_York"),
        ("quarterly", "Australia/Sydney"),
        ("weekly", "Asia/Kolkata"),
    ],
)
def test_our_math_agrees_with_the_cron_trigger_for_two_years(cadence, tz):
    s = sub(cadence, "tue", "08:30", tz)
    trigger = cron_trigger(s)
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    for _ in range(60 if cadence == "weekly" else 8):
        ours = next_run(cadence, "tue", "08:30", tz, moment)
        assert trigger.get_next_fire_time(None, moment + timedelta(microseconds=1)) == ours
        assert last_run(cadence, "tue", "08:30", tz, ours) == ours
        moment = ours


def test_what_a_run_covers():
    monday = datetime(2026, 11, 16, 9, tzinfo=PARIS)
    assert period_of_run("weekly", monday, "Europe/Paris").code == "2026-W46"
    assert (
        period_of_run("quarterly", datetime(2026, 10, 5, 9, tzinfo=PARIS), "Europe/Paris").code == "2026-Q3"
    )
    assert last_run(
        "weekly", "mon", "09:00", "Europe/Paris", datetime(2026, 11, 16, 7, 59, tzinfo=UTC)
    ) == datetime(2026, 11, 9, 9, tzinfo=PARIS)

from datetime import UTC, date, datetime

import pytest

from kpi.errors import InvalidPeriod
from kpi.periods import parse_period, today_in

TODAY = date(2026, 11, 18)  # a Wednesday in ISO week 47


@pytest.mark.parametrize(
    "text, start, end, partial",
    [
        ("", "2026-11-09", "2026-11-15", False),
        ("today", "2026-11-18", "2026-11-18", False),
        ("yesterday", "2026-11-17", "2026-11-17", False),
        ("this week", "2026-11-16", "2026-11-18", True),
        ("last week", "2026-11-09", "2026-11-15", False),
        ("this month", "2026-11-01", "2026-11-18", True),
        ("last month", "2026-10-01", "2026-10-31", False),
        ("this quarter", "2026-10-01", "2026-11-18", True),
        ("last quarter", "2026-07-01", "2026-09-30", False),
        ("this year", "2026-01-01", "2026-11-18", True),
        ("last year", "2025-01-01", "2025-12-31", False),
        ("ytd", "2026-01-01", "2026-11-18", True),
        ("last 7 days", "2026-11-11", "2026-11-17", False),
        ("last 2 weeks", "2026-11-02", "2026-11-15", False),
        ("last 3 months", "2026-08-01", "2026-10-31", False),
        ("2026-W46", "2026-11-09", "2026-11-15", False),
        ("2026-w03", "2026-01-12", "2026-01-18", False),
        ("2026-11", "2026-11-01", "2026-11-18", True),
        ("2026-10", "2026-10-01", "2026-10-31", False),
        ("2026-Q3", "2026-07-01", "2026-09-30", False),
        ("2025", "2025-01-01", "2025-12-31", False),
        ("2026-11-01..2026-11-15", "2026-11-01", "2026-11-15", False),
        ("2026-11-01 to 2026-11-15", "2026-11-01", "2026-11-15", False),
        ("  Last   Quarter ", "2026-07-01", "2026-09-30", False),
    ],
)
def test_period_words_and_literals(text, start, end, partial):
    period = parse_period(text, TODAY)
    assert (period.start.isoformat(), period.end.isoformat(), period.partial) == (start, end, partial)


def test_iso_week_53_exists_in_2026_and_spans_the_year_end():
    week = parse_period("2026-W53", date(2027, 2, 1))
    assert (week.start, week.end) == (date(2026, 12, 28), date(2027, 1, 3))
    assert week.previous().code == "2026-W52"
    assert week.shifted(1).code == "2027-W01"


def test_iso_week_53_does_not_exist_in_2025():
    with pytest.raises(InvalidPeriod, match="2025 has ISO weeks 1 to 52"):
        parse_period("2025-W53", TODAY)


def test_last_week_on_new_years_day_is_the_previous_years_last_week():
    assert parse_period("last week", date(2027, 1, 1)).code == "2026-W52"
    assert parse_period("last week", date(2027, 1, 4)).code == "2026-W53"


def test_year_end_quarter_rolls_over():
    q = parse_period("last quarter", date(2027, 1, 5))
    assert q.code == "2026-Q4"
    assert q.previous().code == "2026-Q3"
    assert q.shifted(1).code == "2027-Q1"


def test_previous_and_year_ago():
    q = parse_period("2026-Q3", TODAY)
    assert q.previous().code == "2026-Q2"
    assert q.year_ago().code == "2025-Q3"
    assert q.compares_year_ago
    assert not parse_period("last week", TODAY).compares_year_ago
    assert [p.code for p in q.trend()][:2] == ["2024-Q4", "2025-Q1"]


def test_partial_period_compares_the_same_number_of_days():
    this_week = parse_period("this week", TODAY)
    previous = this_week.previous()
    assert (previous.start, previous.end) == (date(2026, 11, 9), date(2026, 11, 11))


def test_month_shift_clamps_nothing_since_months_start_on_the_first():
    march = parse_period("2026-03", TODAY)
    assert (march.previous().start, march.previous().end) == (date(2026, 2, 1), date(2026, 2, 28))


def test_custom_range_previous_is_the_same_length_before():
    r = parse_period("2026-11-01..2026-11-15", TODAY)
    assert (r.previous().start, r.previous().end) == (date(2026, 10, 17), date(2026, 10, 31))


def test_dst_change_today_is_in_the_teams_time_zone():
    # 23:30 UTC on 2026-03-28 is already 2026-03-29 in Paris (CET, UTC+1), and the clocks go forward that night.
    now = datetime(2026, 3, 28, 23, 30, tzinfo=UTC)
    assert today_in("Europe/Paris", now) == date(2026, 3, 29)
    assert today_in("America/New_York", now) == date(2026, 3, 28)
    week = parse_period("this week", today_in("Europe/Paris", now))
    assert (week.start, week.end) == (date(2026, 3, 23), date(2026, 3, 29))
    # The week holding the change still has seven days.
    assert parse_period("2026-W13", date(2026, 4, 10)).days == 7


@pytest.mark.parametrize(
    "text",
    [
        "lst week",
        "last 0 days",
        "2026-13",
        "2026-02-30",
        "next week",
        "2026-Q5",
        "2026-11-15..2026-11-01",
        "last -3 days",
    ],
)
def test_bad_periods_show_examples(text):
    with pytest.raises(InvalidPeriod) as err:
        parse_period(text, TODAY)
    assert "`" in str(err.value)


def test_unknown_time_zone():
    with pytest.raises(InvalidPeriod, match="Europe/Paris"):
        today_in("Mars/Olympus", datetime(2026, 1, 1, tzinfo=UTC))

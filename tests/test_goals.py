"""Goal status on data whose pace is known: 10 leads a day, followers +10 a day, as of Wed 2026-11-18."""

from datetime import date, datetime, timedelta

import pytest

from kpi import goals
from kpi.engine import Engine
from kpi.periods import parse_period

from .conftest import NOW, ask, load

TODAY = NOW.date()


@pytest.fixture
def engine(store):
    lines = ["date,leads,followers,spend,likes,impressions"]
    day = date(2026, 9, 1)
    while day < TODAY:
        n = (day - date(2026, 10, 1)).days
        lines.append(f"{day},10,{1000 + 10 * n},50,3,100")
        day += timedelta(days=1)
    load(store, "T1", "\n".join(lines) + "\n")
    return Engine(store, "T1")


def status(engine, kpi, target, cadence="month", deadline=None, window=None, filters=None):
    goal, _ = engine.store.set_goal(
        "T1", kpi, target, cadence, deadline, TODAY.isoformat(), filters or {}, "U1", now=NOW.isoformat()
    )
    return goals.evaluate(engine, goal, engine.catalog.resolve(kpi), TODAY, window)


@pytest.mark.parametrize("target, expected", [(300, "on track"), (330, "at risk"), (400, "off track")])
def test_additive_forecast_adds_the_recent_daily_pace(engine, target, expected):
    s = status(engine, "leads", target)
    assert s.current.number == 170  # Nov 1-17
    assert s.forecast == pytest.approx(170 + 10 * 13)
    assert s.status == expected


def test_needed_pace(engine):
    s = status(engine, "leads", 400)
    assert s.needed_per_day == pytest.approx((400 - 170) / 13)
    assert s.progress == pytest.approx(170 / 400)


def test_stock_forecast_follows_the_recent_slope(engine):
    s = status(engine, "followers", 1700, "date", "2026-12-31")
    assert s.current.number == 1000 + 10 * 47
    assert s.forecast == pytest.approx(1470 + 10 * 44)
    assert s.status == "on track"
    assert status(engine, "followers", 2100, "date", "2026-12-31").status == "at risk"
    assert status(engine, "followers", 2200, "date", "2026-12-31").status == "off track"


def test_rates_are_forecast_at_their_current_value(engine):
    s = status(engine, "engagement_rate", 0.031)
    assert s.forecast == pytest.approx(0.03)
    assert s.status == "at risk"


def test_lower_is_better(engine):
    assert status(engine, "cost_per_lead", 5.0).status == "on track"  # 50 spend / 10 leads
    assert status(engine, "cost_per_lead", 4.7).status == "at risk"
    assert status(engine, "cost_per_lead", 4.0).status == "off track"


def test_a_finished_period_is_met_or_missed(engine):
    last_week = parse_period("last week", TODAY)
    assert status(engine, "leads", 70, "week", window=last_week).status == "met"
    assert status(engine, "leads", 71, "week", window=last_week).status == "missed"


def test_first_day_of_a_period_forecasts_from_the_recent_pace(store):
    load(
        store,
        "T1",
        "date,leads\n" + "".join(f"{date(2026, 11, 16) - timedelta(days=i)},5\n" for i in range(1, 29)),
    )
    engine = Engine(store, "T1")
    # Monday Nov 16: nothing done this week yet, 7 days left at 5 a day.
    goal, _ = store.set_goal("T1", "leads", 30, "week", None, "2026-11-16", {}, "U1", now=NOW.isoformat())
    s = goals.evaluate(engine, goal, engine.catalog.resolve("leads"), date(2026, 11, 16))
    assert s.current.missing == "no data"
    assert s.forecast == pytest.approx(35)
    assert s.status == "on track"


def test_no_data_at_all(store):
    engine = Engine(store, "T1")
    goal, _ = store.set_goal(
        "T1", "leads", 30, "week", None, TODAY.isoformat(), {}, "U1", now=NOW.isoformat()
    )
    assert goals.evaluate(engine, goal, engine.catalog.resolve("leads"), TODAY).status == "no data"


def test_first_of_the_month_says_the_month_has_no_data_yet(store):
    """On Dec 1 a rate goal has no December data: the line says so and judges the recent pace."""
    from kpi.answers import goal_line

    rows = "".join(f"{date(2026, 12, 1) - timedelta(days=i)},24,1000\n" for i in range(1, 29))
    load(store, "T1", "date,likes,impressions\n" + rows)
    engine = Engine(store, "T1")
    goal, _ = store.set_goal(
        "T1", "engagement_rate", 0.03, "month", None, "2026-11-20", {}, "U1", now=NOW.isoformat()
    )
    s = goals.evaluate(engine, goal, engine.catalog.resolve("engagement_rate"), date(2026, 12, 1))
    assert (s.status, s.forecast) == ("off track", pytest.approx(0.024))
    assert goal_line(s, "USD") == "🔴 off track: no data yet this month, target 3.0% per month, forecast 2.4%"


def test_the_goals_table_on_the_first_says_no_data_yet_and_shows_the_forecast_behind_the_status(store):
    rows = "".join(f"{date(2026, 12, 1) - timedelta(days=i)},24,1000,5\n" for i in range(1, 29))
    load(store, "T1", "date,likes,impressions,leads\n" + rows)
    store.set_goal("T1", "engagement_rate", 0.03, "month", None, "2026-11-20", {}, "U1", now=NOW.isoformat())
    store.set_goal("T1", "leads", 100, "month", None, "2026-11-20", {}, "U1", now=NOW.isoformat())
    store.set_goal("T1", "likes", 200, "week", None, "2026-11-20", {}, "U1", now=NOW.isoformat())
    table = ask(store, "/kpi goals", now=datetime(2026, 12, 1, 9, tzinfo=NOW.tzinfo)).table
    assert table.columns[3:6] == ["so far", "progress", "forecast"]
    rate, month, week = table.rows
    assert rate[3:] == ["no data yet", "—", "2.4%", "🔴 off track"]  # the recent pace is below 3%
    assert month[3:] == ["no data yet", "—", "155", "🟢 on track"]  # 5 a day for 31 days
    assert week[3:] == ["24", "12%", "168", "🔴 off track"]  # Monday Nov 30 counted, 6 days left

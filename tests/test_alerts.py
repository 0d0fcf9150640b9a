"""Alerts judged on constructed data: each kind fires when it must and stays quiet when it must not."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from kpi.alerts.check import find
from kpi.commands import parse
from kpi.errors import InvalidCommand, InvalidTarget, NotAllowed, UnknownKpi
from kpi.store import Store

from .conftest import ask, load
from .support.alert_data import csv, csv_rows, rhythm

# A Wednesday morning: the judged day is Tue 17 Nov, the judged week W46 (9-15 Nov), the month October.
CHECK = datetime(2026, 11, 18, 8, 0, tzinfo=UTC)
TUESDAY = date(2026, 11, 17)


def fired(store: Store, at: datetime = CHECK, team: str = "T1"):
    return find(store, team, at).findings


def headlines(store: Store, at: datetime = CHECK) -> list[str]:
    return [f.headline for f in fired(store, at)]


@pytest.fixture
def season(store):
    """Ten weeks of impressions with a strong weekly rhythm and one outlier: Tuesday 10 November
    on instagram in fr, four times its usual."""
    spike = {(date(2026, 11, 10), "instagram", "fr"): 4.0}
    load(store, "T1", csv(csv_rows("impressions", date(2026, 9, 1), TUESDAY, rhythm(1000, spike))))
    return store


# -- the grammar ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, problem",
    [
        ("alert", "Say what to watch"),
        ("alert reach soars 3", "not `soars`"),
        ("alert reach above", "needs a number"),
        ("alert reach above lots", "is not a number"),
        ("alert reach drops -3%", "is not a change"),
        ("alert reach anomaly monthly", "daily (against the same weekday"),
        ("alert reach anomaly by network", "I don't understand"),
        ("alert stale 0 days", "from 1 to 366"),
        ("alert remove x", "the alert's number"),
        ("alert snooze 3 400 days", "from 1 to 90"),
    ],
)
def test_malformed_alerts_say_what_is_wrong_and_show_the_form(text, problem):
    with pytest.raises((InvalidCommand, InvalidTarget)) as caught:
        parse(text)
    assert problem in str(caught.value) and "Usage" in str(caught.value)


def test_alerts_need_a_known_kpi_dimension_and_unit(store, season):
    with pytest.raises(UnknownKpi, match="Did you mean"):
        ask(store, "/kpi alert impresions above 10")
    with pytest.raises(Exception, match="no dimension `country`"):
        ask(store, "/kpi alert impressions above 10 country:fr")
    with pytest.raises(InvalidCommand, match="not points"):
        ask(store, "/kpi alert impressions drops 2pp")
    with pytest.raises(InvalidTarget, match="not a percentage"):
        ask(store, "/kpi alert impressions above 5%")
    with pytest.raises(InvalidCommand, match="channel where they are set"):
        ask(store, "/kpi alert impressions anomaly", channel=None)
    assert store.alerts("T1") == []


def test_setting_and_removing_alerts_is_for_admins_and_scoped_by_team(store, season):
    with pytest.raises(NotAllowed, match="admins"):
        ask(store, "/kpi alert impressions anomaly", user="U2", admins=frozenset({"U1"}))
    reply = ask(store, "/kpi alert impressions anomaly", user="U1", admins=frozenset({"U1"}))
    assert reply.title == "Alert #1 set for this channel" and reply.public
    again = ask(store, "/kpi alert impressions anomaly")
    assert again.title == "Alert #1 already watches that here" and len(store.alerts("T1")) == 1
    with pytest.raises(Exception, match="no alert #1"):
        ask(store, "/kpi alert remove 1", team="T2")
    with pytest.raises(Exception, match="no alert #1"):
        ask(store, "/kpi alert snooze 1", team="T2")
    assert ask(store, "/kpi alerts", team="T2").title == "No alerts yet"
    assert ask(store, "/kpi alert remove 1").title == "Alert #1 removed"
    assert store.alerts("T1") == []


# -- thresholds ----------------------------------------------------------------------------------


def leads(store: Store, per_day: dict[date, float]) -> None:
    lines = [f"{d.isoformat()},leads,{v:g},,fr" for d, v in per_day.items()]
    load(store, "T1", "date,metric,value,network,region\n" + "\n".join(lines) + "\n")


def test_a_threshold_fires_beyond_the_line_and_never_at_it_or_without_data(store):
    leads(store, {TUESDAY - timedelta(days=1): 8, TUESDAY: 10})
    ask(store, "/kpi alert leads above 10")
    ask(store, "/kpi alert leads below 10")
    assert fired(store) == []  # exactly at the line, either way
    ask(store, "/kpi alert leads above 9.5")
    (finding,) = fired(store)
    assert finding.headline == "Leads is above 9.5: 10 on Tue Nov 17, 2026"
    assert finding.reference == "line: above 9.5" and finding.change == "+25.0% vs previous day"
    assert finding.tone == "good" and finding.key == "2026-11-17"
    later = CHECK + timedelta(days=1)  # Wednesday has no data: no value, no threshold alert
    assert fired(store, later) == []


def test_a_percent_threshold_reads_as_typed(store, season):
    load(store, "T1", csv(csv_rows("likes", date(2026, 11, 16), TUESDAY, rhythm(25))))  # 2.5% of impressions
    ask(store, "/kpi alert engagement below 3%")
    ask(store, "/kpi alert engagement above 3")  # a bare number is percent for a percent KPI
    assert headlines(store) == ["Engagement rate is below 3.0%: 2.5% on Tue Nov 17, 2026"]


def test_a_weekly_alert_judges_the_last_complete_week_never_the_running_one(store):
    leads(store, {date(2026, 11, 10): 5, date(2026, 11, 16): 500, TUESDAY: 500, date(2026, 11, 22): 0})
    ask(store, "/kpi alert leads above 100 weekly")
    assert fired(store) == []  # this week's 1,000 leads are in a week still running
    monday = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    assert headlines(store, monday) == ["Leads is above 100: 1,000 in Week 47, 2026 (Nov 16–22, 2026)"]


def test_a_filtered_threshold_looks_at_its_slice_only(store, season):
    ask(store, "/kpi alert impressions above 1100 network:instagram region:fr")
    ask(store, "/kpi alert impressions above 100000")
    monday = datetime(2026, 11, 11, 8, 0, tzinfo=UTC)  # judges the spike day
    (finding,) = fired(store, monday)
    assert finding.headline.startswith("Impressions (network: instagram) (region: fr) is above 1,100:")
    assert finding.contributors == []  # both mover dimensions are fixed by the filter


# -- changes ---------------------------------------------------------------------------------------


def test_a_change_fires_beyond_its_size_only(store):
    week45 = {date(2026, 11, 2) + timedelta(days=k): 20 for k in range(5)}  # 100
    week46 = {date(2026, 11, 9) + timedelta(days=k): 15 for k in range(5)}  # 75: -25%
    leads(store, {**week45, **week46})
    ask(store, "/kpi alert leads drops 20% weekly")
    ask(store, "/kpi alert leads drops 25% weekly")  # exactly 25%: not beyond
    ask(store, "/kpi alert leads rises 20% weekly")
    (finding,) = fired(store)
    assert finding.headline == "Leads fell 25.0% to 75 in Week 46, 2026 (Nov 9–15, 2026)"
    assert finding.reference == "from 100 the week before (alert at 20%)" and finding.tone == "bad"


def test_a_percent_kpi_changes_in_points(store, season):
    load(store, "T1", csv(csv_rows("likes", date(2026, 11, 16), date(2026, 11, 16), rhythm(40))))
    load(store, "T1", csv(csv_rows("likes", TUESDAY, TUESDAY, rhythm(20))))
    ask(store, "/kpi alert engagement drops 1pp")
    ask(store, "/kpi alert engagement drops 3pp")
    (finding,) = fired(store)
    assert finding.headline == "Engagement rate fell 2.0 pp to 2.0% on Tue Nov 17, 2026"


# -- seasonal anomalies ---------------------------------------------------------------------------


def test_the_seasonal_score_fires_on_the_outlier_only(season):
    ask(season, "/kpi alert impressions anomaly")
    days_fired = []
    for offset in range(0, 50):  # every check from 30 September to 18 November
        at = datetime(2026, 9, 30, 8, 0, tzinfo=UTC) + timedelta(days=offset)
        days_fired += [f.key for f in fired(season, at)]
    # Sundays are a third of Tuesdays, every week: never unusual for a Sunday.
    assert days_fired == ["2026-11-10"]


def test_an_anomaly_names_its_usual_range_and_the_network_and_region_that_caused_it(season):
    ask(season, "/kpi alert impressions anomaly")
    (finding,) = fired(season, datetime(2026, 11, 11, 8, 0, tzinfo=UTC))
    assert finding.headline.startswith("Impressions is unusually high: ")
    assert (
        finding.reference.startswith("usually ") and "on Tuesdays of the 8 weeks before" in finding.reference
    )
    assert "score +" in finding.change
    by = {(c.dimension, i): c for i, c in enumerate(finding.contributors)}
    first_network = next(c for (d, _), c in by.items() if d == "network")
    first_region = next(c for (d, _), c in by.items() if d == "region")
    assert (first_network.group, first_region.group) == ("instagram", "fr")
    assert first_network.change.startswith("+1")  # instagram more than doubled against its median
    assert finding.by == "network"


def test_a_weekly_anomaly_compares_with_the_twelve_weeks_before(store):
    week = {date(2026, 11, 9) + timedelta(days=k): 1.0 for k in range(7)}
    spike = {(d, "facebook", "us"): 6.0 for d in week}
    load(store, "T1", csv(csv_rows("reach", date(2026, 8, 10), TUESDAY, rhythm(500, spike))))
    ask(store, "/kpi alert reach anomaly weekly")
    (finding,) = fired(store)
    assert finding.key == "2026-W46" and "the 12 weeks before" in finding.reference
    assert finding.contributors[0].group == "facebook"
    monday = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    assert fired(store, monday) == []  # W47 has data for two of its days: it waits for the rest
    load(store, "T1", csv(csv_rows("reach", date(2026, 11, 18), date(2026, 11, 22), rhythm(500))))
    assert fired(store, monday) == []  # now complete, and usual again


def test_an_anomaly_needs_history(store):
    load(store, "T1", csv(csv_rows("reach", date(2026, 10, 20), TUESDAY, rhythm(500))))
    ask(store, "/kpi alert reach anomaly")
    assert fired(store) == []  # four earlier Tuesdays: too few to say what is usual


# -- goals and stale data ---------------------------------------------------------------------------


def test_a_goal_alert_fires_on_a_change_of_status_only(store):
    leads(store, {date(2026, 11, d): 50 for d in range(1, 18)})  # 850 so far: on track for 1,000
    ask(store, "/kpi goal leads 1000 per month")
    ask(store, "/kpi alert goals")  # the goal is on track now: that is the baseline, not a change
    assert fired(store) == []
    leads(store, {date(2026, 11, d): 10 for d in range(1, 18)})  # 170 so far: off track
    (finding,) = fired(store)
    assert finding.headline == "Goal #1 Leads is now off track (was on track)" and finding.tone == "bad"
    assert finding.reference.startswith("target 1,000 · November 2026")
    from kpi.alerts.check import claim

    claim(store, "T1", find(store, "T1", CHECK), CHECK)  # the check remembers the new status
    assert fired(store) == []


def test_a_stale_alert_fires_once_per_quiet_spell(store):
    leads(store, {date(2026, 11, 14): 3})
    ask(store, "/kpi alert stale 3 days")
    (finding,) = fired(store)  # 15, 16 and 17 November went by without data
    assert finding.headline == "No new data for metric leads for 3 days"
    assert finding.key == "stale:metric leads:2026-11-14"
    assert fired(store, CHECK - timedelta(days=1)) == []  # two quiet days only
    later = [f.key for f in fired(store, CHECK + timedelta(days=2))]
    assert later == ["stale:metric leads:2026-11-14"]  # the same spell: the ledger tells it once
    leads(store, {date(2026, 11, 19): 3})
    assert [f.key for f in fired(store, CHECK + timedelta(days=5))] == ["stale:metric leads:2026-11-19"]


def test_a_file_source_tagged_on_import_goes_stale_on_its_own(store):
    load(
        store, "T1", "date,metric,value,source\n2026-11-10,sessions,5,ga4_export\n2026-11-17,sessions,5,crm\n"
    )
    ask(store, "/kpi alert stale 5 days")
    assert headlines(store) == ["No new data for file source ga4_export for 7 days"]


# -- snooze -------------------------------------------------------------------------------------


def test_a_snoozed_alert_stays_quiet_until_it_wakes(store):
    leads(store, {date(2026, 11, 17) + timedelta(days=k): 50 for k in range(10)})
    ask(store, "/kpi alert leads above 10")
    assert ask(store, "/kpi alert snooze 1", now=CHECK).title == "Alert #1 snoozed for 7 days"
    assert fired(store, CHECK + timedelta(days=6)) == []
    assert [f.key for f in fired(store, CHECK + timedelta(days=8))] == ["2026-11-25"]
    listing = ask(store, "/kpi alerts", now=CHECK + timedelta(days=1))
    assert listing.table.rows[0][4] == "snoozed until 2026-11-25"

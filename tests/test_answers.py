"""Every `/kpi` command run against a real SQLite file, as a team would use it."""

import pytest

from kpi.errors import (
    InvalidCommand,
    InvalidFilter,
    InvalidFormula,
    InvalidPeriod,
    InvalidTarget,
    NotAllowed,
    NotFound,
    UnknownKpi,
)

from .conftest import SITE, SOCIAL, ask, load, snapshot


@pytest.fixture
def data(store):
    load(store, "T1", SOCIAL)
    load(store, "T1", SITE)
    return store


def test_kpi_answer_has_value_change_trend_and_context(data):
    reply = ask(data, "/kpi engagement")
    assert reply.title == "Engagement rate · Week 46, 2026 (Nov 9–15, 2026)"
    assert reply.lines[0].startswith("4.8%   ↑ +2.3 pp vs Week 45, 2026")
    assert reply.lines[0].endswith("(good)")
    fields = dict(reply.fields)
    assert fields["Previous week"] == "2.5%"
    assert fields["Trend, last 8 weeks"].startswith("······▁█")
    assert reply.notes[0] == "2026-11-09 to 2026-11-15 · UTC · data through Nov 14, 2026"
    assert reply.public
    assert [a.label for a in reply.actions] == ["By network", "Previous period", "Set goal"]
    assert reply.actions[1].value == "engagement_rate 2026-W45"


def test_breakdown_is_best_first(data):
    reply = ask(data, "/kpi engagement 2026-W46 by network")
    assert reply.table.columns == ["network", "Engagement rate", "vs previous"]
    assert reply.table.rows == [["instagram", "6.7%", "n/a"], ["facebook", "3.0%", "+0.5 pp"]]


def test_lower_is_better_breakdown_puts_the_lowest_first(data):
    reply = ask(data, "/kpi bounce_rate 2026-W46 by region")
    assert [r[0] for r in reply.table.rows] == ["us", "fr"]


def test_quarter_compares_with_the_year_before(data):
    reply = ask(data, "/kpi impressions 2026-Q4")
    assert "Year before (Q4 2025 (to date))" in dict(reply.fields)


def test_no_data_and_not_applicable(data, store):
    assert ask(data, "/kpi impressions 2025-W10").lines == ["no data"]
    load(store, "T1", "date,sessions,conversions\n2026-10-05,0,0\n")
    reply = ask(data, "/kpi conversion_rate 2026-10-05")
    assert reply.lines == ["n/a"]
    assert any("denominator" in n for n in reply.notes)


@pytest.mark.parametrize(
    "text, error",
    [
        ("/kpi engagment", UnknownKpi),
        ("/kpi engagement lst week", InvalidPeriod),
        ("/kpi engagement by segment", InvalidFilter),
        ("/kpi engagement network:tiktok", InvalidFilter),
        ("/kpi goal engagement 4.5% network:tiktok", InvalidFilter),
        ("/kpi goal impressions 10%", InvalidTarget),
        ("/kpi goal leads 10 by 2020-01-01", InvalidTarget),
        ("/kpi goal remove 99", NotFound),
        ("/kpi define bad = sum(a) +", InvalidFormula),
        ("/kpi define bad = clicks / sum(b)", InvalidFormula),
        ("/kpi undefine nothing", NotFound),
        ("/kpi unsubscribe weekly", NotFound),
        ("/kpi subscribe weekly engagment", UnknownKpi),
        ("/kpi record likes 3 2099-01-01", InvalidCommand),
    ],
)
def test_bad_input_is_explained_and_changes_nothing(data, text, error):
    before = snapshot(data)
    with pytest.raises(error):
        ask(data, text)
    assert snapshot(data) == before


def test_goal_lifecycle(data):
    reply = ask(data, "/kpi goal engagement 4.5% per week")
    assert reply.title == "Goal #1 set: Engagement rate 4.5% per week"
    assert reply.actor == "U1" and reply.public
    assert (
        ask(data, "/kpi goal engagement 5% per week").title
        == "Goal #1 replaced: Engagement rate 5.0% per week"
    )
    ask(data, "/kpi goal leads 100 per month region:fr")
    goals = ask(data, "/kpi goals")
    assert [r[:3] for r in goals.table.rows] == [
        ["#1", "engagement_rate", "5.0% per week"],
        ["#2", "leads region:fr", "100 per month"],
    ]
    assert any(a.kind == "remove_goal" and a.value == "2" for a in goals.actions)
    assert "Goal" in dict(ask(data, "/kpi engagement").fields)
    assert ask(data, "/kpi goal remove 1").title == "Goal #1 removed"
    assert [r[0] for r in ask(data, "/kpi goals").table.rows] == ["#2"]


def test_record_then_ask(data):
    reply = ask(data, "/kpi record followers 2000 2026-11-15 network:instagram")
    assert reply.lines == ["New data point."]
    assert ask(data, "/kpi record followers 2100 2026-11-15 network:instagram").lines == [
        "Replaced the value recorded before."
    ]
    assert ask(data, "/kpi followers 2026-W46 network:instagram").lines[0].startswith("2,100")


def test_define_use_and_undefine(data):
    ask(data, "/kpi define share_rate = sum(shares) / sum(impressions) as percent")
    assert ask(data, "/kpi share_rate 2026-W46").lines[0].startswith("0.4%")
    assert "share_rate" in [r[0] for r in ask(data, "/kpi list").table.rows]
    reply = ask(data, "/kpi define ctr = sum(clicks) / sum(posts) as ratio")
    assert any("replaces the built-in" in n for n in reply.notes)
    assert ask(data, "/kpi ctr 2026-W46").lines[0].startswith("7.50")
    assert ask(data, "/kpi undefine ctr").lines == ["The built-in definition applies again."]
    assert ask(data, "/kpi ctr 2026-W46").lines[0].startswith("0.8%")
    ask(data, "/kpi undefine share_rate")
    with pytest.raises(UnknownKpi):
        ask(data, "/kpi share_rate")


def test_subscriptions(data):
    reply = ask(data, '/kpi subscribe weekly engagement,reach at "tue 08:30" tz Europe/Paris')
    assert reply.lines == ["Posted every Tuesday at 08:30 (Europe/Paris): engagement_rate, reach."]
    ask(data, "/kpi subscribe quarterly", channel="C2")
    rows = ask(data, "/kpi subscriptions").table.rows
    assert [r[:2] for r in rows] == [["#C1", "weekly"], ["#C2", "quarterly"]]
    ask(data, "/kpi unsubscribe weekly")
    assert [r[0] for r in ask(data, "/kpi subscriptions").table.rows] == ["#C2"]


def test_report(data):
    reply = ask(data, "/kpi report weekly 2026-W46")
    assert reply.title == "Weekly digest · Week 46, 2026 (Nov 9–15, 2026)"
    assert reply.kind == "digest" and reply.public
    first = reply.data.answers[0]
    assert (first.kpi.name, first.show(first.value), first.change(first.previous)) == (
        "engagement_rate",
        "4.8%",
        "+2.3 pp",
    )


def test_report_uses_the_channels_subscribed_kpis(data):
    ask(data, "/kpi subscribe weekly impressions,ctr")
    assert [a.kpi.name for a in ask(data, "/kpi report weekly").data.answers] == ["impressions", "ctr"]
    assert [a.kpi.name for a in ask(data, "/kpi report weekly", channel="C2").data.answers][:2] == [
        "engagement_rate",
        "reach",
    ]


def test_settings_change_the_answers(data):
    ask(data, "/kpi set currency EUR")
    assert ask(data, "/kpi cpl 2026-W46").lines[0].startswith("EUR 12.50")
    ask(data, "/kpi set timezone America/New_York")
    assert "America/New_York" in ask(data, "/kpi cpl 2026-W46").notes[0]


def test_non_admins_cannot_change_anything(data):
    admins = frozenset({"UADMIN"})
    before = snapshot(data)
    for text in [
        "/kpi goal reach 10",
        "/kpi record likes 1",
        "/kpi subscribe weekly",
        "/kpi define x = sum(a)",
        "/kpi set currency EUR",
        "/kpi goal remove 1",
        "/kpi undefine x",
        "/kpi unsubscribe weekly",
    ]:
        with pytest.raises(NotAllowed, match="Only this workspace's kpibot admins"):
            ask(data, text, user="U2", admins=admins)
    assert snapshot(data) == before
    assert ask(data, "/kpi engagement", user="U2", admins=admins).public
    assert ask(data, "/kpi goal reach 10", user="UADMIN", admins=admins).title.startswith("Goal #1 set")


def test_another_workspace_sees_nothing(data):
    ask(data, "/kpi goal engagement 4.5%")
    ask(data, "/kpi subscribe weekly")
    ask(data, "/kpi define mine = sum(likes)")
    assert ask(data, "/kpi engagement", team="T2").lines == ["no data"]
    assert ask(data, "/kpi goals", team="T2").title == "No goals yet"
    assert ask(data, "/kpi subscriptions", team="T2").title == "No digests yet"
    with pytest.raises(UnknownKpi):
        ask(data, "/kpi mine", team="T2")
    with pytest.raises(NotFound):
        ask(data, "/kpi goal remove 1", team="T2")
    assert ask(data, "/kpi goals").table.rows[0][0] == "#1"


def test_help_on_one_command_shows_that_command(data):
    reply = ask(data, "/kpi help goal")
    assert reply.title == "kpibot help: Goals"
    assert reply.lines[0].startswith(
        "`/kpi goal <kpi> <target> [per week|per month|per quarter|by YYYY-MM-DD]"
    )
    assert ask(data, "/kpi help goals").title == "kpibot help: Goals"
    general = ask(data, "/kpi help nonsense")
    assert general.title == "kpibot: your KPIs in chat"
    assert general.notes[0] == "There is no help on `nonsense`; here is all of it."


def test_every_metric_with_data_is_a_kpi(data):
    spend = ask(data, "/kpi spend 2026-W46")
    assert (spend.title, spend.lines[0].split("   ")[0]) == (
        "Spend · Week 46, 2026 (Nov 9–15, 2026)",
        "USD 500.00",
    )
    by_region = ask(data, "/kpi sessions 2026-W46 by region")
    assert sorted(row[:2] for row in by_region.table.rows) == [["fr", "2,000"], ["us", "2,000"]]
    with pytest.raises(UnknownKpi, match="Did you mean `spend`"):
        ask(data, "/kpi spnd")
    listing = ask(data, "/kpi list")
    assert "`spend` (sum(spend))" in listing.notes[-1] and "spend" not in [r[0] for r in listing.table.rows]
    with pytest.raises(UnknownKpi):
        ask(data, "/kpi spend 2026-W46", team="T2")  # another workspace has no such metric


def test_writes_are_stamped_with_the_callers_clock(data):
    ask(data, "/kpi goal engagement 4.5% per week")
    ask(data, "/kpi define save_rate = sum(saves) / sum(impressions) as percent")
    ask(data, '/kpi subscribe weekly at "mon 09:00"')
    stamps = {
        table: data.conn.execute(f"SELECT created_at FROM {table} WHERE team = 'T1'").fetchone()[0]
        for table in ("goals", "definitions", "subscriptions")
    }
    assert stamps == dict.fromkeys(stamps, "2026-11-18T10:00:00+00:00")

"""The `/kpi` grammar, as tables of typed text and what it means (or how it is refused)."""

import pytest

from kpi import commands as c
from kpi.errors import InvalidCommand, InvalidPeriod, InvalidTarget

T = c.Target


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", c.Help()),
        ("help", c.Help()),
        ("/kpi help goal", c.Help("goal")),
        ("list", c.ListKpis()),
        ("engagement", c.KpiQuery("engagement")),
        ("/kpi engagement last quarter by network", c.KpiQuery("engagement", "last quarter", "network")),
        (
            "reach this month network:Instagram region:fr",
            c.KpiQuery("reach", "this month", None, {"network": "instagram", "region": "fr"}),
        ),
        ('reach network:"New York"', c.KpiQuery("reach", "", None, {"network": "new york"})),
        ("Engagement-Rate 2026-W46", c.KpiQuery("engagement_rate", "2026-W46")),
        ("ctr 2026-11-01..2026-11-15 by region", c.KpiQuery("ctr", "2026-11-01..2026-11-15", "region")),
        ("goals", c.ListGoals()),
        ("goal engagement 4.5%", c.SetGoal("engagement", T(4.5, True, "4.5%"))),
        ("goal leads 1,200 per quarter", c.SetGoal("leads", T(1200, False, "1,200"), "quarter")),
        (
            "goal reach 10k per week network:x",
            c.SetGoal("reach", T(10_000, False, "10k"), "week", None, {"network": "x"}),
        ),
        (
            "goal followers 1.2M by 2026-12-31",
            c.SetGoal("followers", T(1_200_000, False, "1.2M"), "date", "2026-12-31"),
        ),
        ("goal cpl USD 12.5 monthly", c.SetGoal("cpl", T(12.5, False, "USD 12.5"), "month")),
        ("goal remove 3", c.RemoveGoal(3)),
        ("goal remove #3", c.RemoveGoal(3)),
        ("record followers 12,500", c.Record("followers", 12500)),
        (
            "record Followers 12500 2026-11-20 network:linkedin",
            c.Record("followers", 12500, "2026-11-20", {"network": "linkedin"}),
        ),
        ("subscribe weekly", c.Subscribe("weekly")),
        (
            'subscribe weekly engagement,reach at "tue 08:30" tz Europe/Paris',
            c.Subscribe("weekly", ("engagement", "reach"), "tue", "08:30", "Europe/Paris"),
        ),
        ("subscribe quarterly at “mon 10:00”", c.Subscribe("quarterly", (), "mon", "10:00")),
        ("unsubscribe weekly", c.Unsubscribe("weekly")),
        ("subscriptions", c.ListSubscriptions()),
        ("report weekly", c.Report("weekly")),
        ("report quarterly 2026-Q3", c.Report("quarterly", "2026-Q3")),
        (
            "define save_rate = sum(saves) / sum(impressions) as percent",
            c.Define("save_rate", "sum(saves) / sum(impressions)", "percent"),
        ),
        (
            "define cost_per_view = sum(spend) / sum(views) as currency lower is better",
            c.Define("cost_per_view", "sum(spend) / sum(views)", "currency", "lower"),
        ),
        ("define payload_rate = sum(a) / sum(b)", c.Define("payload_rate", "sum(a) / sum(b)")),
        ("undefine save_rate", c.Undefine("save_rate")),
        ("settings", c.ShowSettings()),
        ("set timezone Europe/Paris", c.SetSetting("timezone", "Europe/Paris")),
        ("set currency eur", c.SetSetting("currency", "EUR")),
        ("set hourly_rate 45", c.SetSetting("hourly_rate", "45")),
    ],
)
def test_parse(text, expected):
    assert c.parse(text) == expected


@pytest.mark.parametrize(
    "text, error, message",
    [
        ("goal engagement", InvalidCommand, "Usage: `/kpi goal <kpi> <target>"),
        ("goal engagement lots", InvalidTarget, "The target `lots` is not a number"),
        ("goal engagement -3", InvalidTarget, "negative"),
        ("goal engagement 4% per fortnight", InvalidCommand, "I don't understand `per fortnight`"),
        ("goal engagement 4% by 2026-13-45", InvalidCommand, "is not a date"),
        ("goal remove x", InvalidCommand, "Give the goal's number"),
        ("record followers", InvalidCommand, "Usage: `/kpi record"),
        ("record followers many", InvalidCommand, "`many` is not a number"),
        ("record followers 3 yesterday", InvalidCommand, "not a date"),
        ("subscribe daily", InvalidCommand, "weekly or quarterly"),
        ('subscribe weekly at "someday"', InvalidCommand, "not a day and time"),
        ('subscribe weekly at "mon 25:00"', InvalidCommand, "not a day and time"),
        ("subscribe weekly tz Mars/Base", InvalidPeriod, "not a time zone"),
        ('subscribe weekly at "mon 09:00', InvalidCommand, "A quote is not closed"),
        ("unsubscribe", InvalidCommand, "Usage: `/kpi unsubscribe"),
        ("report monthly", InvalidCommand, "weekly or quarterly"),
        ("define x sum(a)", InvalidCommand, "needs a name, `=` and a formula"),
        ("define list = sum(a)", InvalidCommand, "can't be a KPI name"),
        ("define x = sum(a) as money", InvalidCommand, "`money` is not a unit"),
        ("undefine", InvalidCommand, "Usage: `/kpi undefine"),
        ("set colour blue", InvalidCommand, "not a setting"),
        ("set hourly_rate -5", InvalidCommand, "not an hourly rate"),
        ("set currency euros", InvalidCommand, "not a currency code"),
        ("reach by", InvalidCommand, "`by` needs a dimension"),
        ("reach by network by region", InvalidCommand, "Only one `by`"),
        ("reach network:", InvalidCommand, "not a filter"),
    ],
)
def test_errors_show_the_right_form(text, error, message):
    with pytest.raises(error) as err:
        c.parse(text)
    assert message in str(err.value)


def test_mutating_commands():
    assert c.is_mutating(c.parse("goal reach 10"))
    assert c.is_mutating(c.parse("record likes 1"))
    assert not c.is_mutating(c.parse("reach last week"))
    assert not c.is_mutating(c.parse("goals"))

"""Every built-in formula on hand-computed data (tests/conftest.py: SOCIAL and SITE, week 2026-W46)."""

import pytest

from kpi.catalog import Catalog
from kpi.engine import Engine
from kpi.errors import InvalidFormula, UnknownKpi
from kpi.periods import parse_period

from .conftest import NOW, SITE, SOCIAL, load

W46 = parse_period("2026-W46", NOW.date())

# Sums over W46 (Nov 9-15): facebook + instagram.
EXPECTED = {
    "impressions": 6000,
    "posts": 6,
    "new_followers": 95,
    "followers": 530 + 1100,  # each network's latest value in the week
    "engagements": 90 + 200,
    "engagement_rate": 290 / 6000,
    "applause_rate": 220 / 6,
    "conversation_rate": 40 / 6,
    "amplification_rate": 21 / 6,
    "ctr": 45 / 6000,
    "follower_growth_rate": 80 / (1630 - 80),
    "social_traffic_share": 1000 / 4000,
    "bounce_rate": 1700 / 4000,
    "conversion_rate": 100 / 4000,
    "leads": 40,
    "lead_conversion_rate": 10 / 40,
    "cost_per_lead": 500 / 40,
    "roi": (6000 - 500) / 500,
    "csat": 4.5,
}


@pytest.fixture
def engine(store):
    load(store, "T1", SOCIAL)
    load(store, "T1", SITE)
    return Engine(store, "T1")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_builtin_formula(engine, name):
    kpi = engine.catalog.resolve(name)
    value = engine.value(kpi, W46.start, W46.end)
    assert value.number == pytest.approx(EXPECTED[name])


def test_roi_counts_hours_at_the_hourly_rate(engine, store):
    store.update_settings("T1", hourly_rate=25)
    engine = Engine(store, "T1")
    kpi = engine.catalog.resolve("roi")
    # cost = 500 spend + 20 hours x 25
    assert engine.value(kpi, W46.start, W46.end).number == pytest.approx((6000 - 1000) / 1000)


def test_avg_organic_reach(store):
    load(store, "T1", "date,organic_reach,posts\n2026-11-09,900,3\n2026-11-10,300,1\n")
    engine = Engine(store, "T1")
    assert engine.value(engine.catalog.resolve("avg_organic_reach"), W46.start, W46.end).number == 300


def test_ratio_is_ratio_of_sums_not_mean_of_daily_ratios(store):
    load(store, "T1", "date,clicks,impressions\n2026-11-09,1,10\n2026-11-10,99,990\n2026-11-11,0,1000\n")
    engine = Engine(store, "T1")
    # daily ratios 10%, 10%, 0% average 6.67%; the ratio of sums is 100/2000 = 5%
    assert engine.value(engine.catalog.resolve("ctr"), W46.start, W46.end).number == pytest.approx(0.05)


@pytest.mark.parametrize(
    "typed, name",
    [
        ("engagement_rate", "engagement_rate"),
        ("engagement", "engagement_rate"),
        ("growth", "follower_growth_rate"),
        ("traffic", "social_traffic_share"),
        ("cpl", "cost_per_lead"),
        ("Engagement-Rate", "engagement_rate"),
        ("impr", "impressions"),
        ("amplif", "amplification_rate"),
        ("cs", "csat"),
    ],
)
def test_resolution(typed, name):
    assert Catalog().resolve(typed).name == name


def test_unknown_kpi_suggests_the_closest():
    with pytest.raises(UnknownKpi) as err:
        Catalog().resolve("engagment")
    assert str(err.value).startswith("Unknown KPI `engagment`. Did you mean `engagement_rate`")


def test_ambiguous_prefix_lists_the_candidates():
    with pytest.raises(UnknownKpi) as err:
        Catalog().resolve("eng")
    assert "`engagement_rate`" in str(err.value) and "`engagements`" in str(err.value)


def test_nothing_close_points_to_the_list():
    with pytest.raises(UnknownKpi) as err:
        Catalog().resolve("zzzz")
    assert "/kpi list" in str(err.value)


def test_team_definition_overrides_builtin_and_may_reference_kpis():
    catalog = Catalog(
        {"ctr": ("sum(clicks) / sum(reach)", "percent", "higher"), "clicky": ("ctr * 2", "ratio", "higher")}
    )
    assert catalog.resolve("ctr").metrics == ("clicks", "reach")
    assert catalog.resolve("clicky").metrics == ("clicks", "reach")
    assert Catalog().resolve("ctr").metrics == ("clicks", "impressions")


def test_cycles_are_refused():
    catalog = Catalog({"a": ("b + 1", "count", "higher"), "b": ("a * 2", "count", "higher")})
    with pytest.raises(InvalidFormula, match="refers to itself"):
        catalog.resolve("a")


def test_reference_to_a_metric_without_aggregate_is_explained():
    with pytest.raises(InvalidFormula, match="sum\\(saves\\)"):
        Catalog({"x": ("saves / sum(impressions)", "percent", "higher")}).resolve("x")

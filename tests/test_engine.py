from datetime import date

import pytest

from kpi.engine import Engine
from kpi.errors import InvalidFilter
from kpi.periods import parse_period

from .conftest import NOW, SITE, SOCIAL, load

W46 = parse_period("2026-W46", NOW.date())
W45 = parse_period("2026-W45", NOW.date())


@pytest.fixture
def engine(store):
    load(store, "T1", SOCIAL)
    load(store, "T1", SITE)
    return Engine(store, "T1")


def rate(engine, name, period, **filters):
    return engine.value(engine.catalog.resolve(name), period.start, period.end, filters)


def test_dimension_filter(engine):
    assert rate(engine, "engagement_rate", W46, network="instagram").number == pytest.approx(200 / 3000)
    assert rate(engine, "engagement_rate", W46, network="facebook").number == pytest.approx(90 / 3000)


def test_breakdown_by_dimension(engine):
    kpi = engine.catalog.resolve("engagement_rate")
    results = engine.evaluate(kpi, [(W45.start, W45.end), (W46.start, W46.end)], by="network")
    assert results.groups["facebook"][0].number == pytest.approx(25 / 1000)
    assert results.groups["instagram"][0].missing == "no data"
    assert results.groups["instagram"][1].number == pytest.approx(200 / 3000)


def test_rows_without_the_dimension_count_as_all(store):
    load(store, "T1", "date,metric,value,network\n2026-11-09,impressions,10,x\n2026-11-09,impressions,5,\n")
    engine = Engine(store, "T1")
    kpi = engine.catalog.resolve("impressions")
    results = engine.evaluate(kpi, [(W46.start, W46.end)], by="network")
    assert {g: v[0].number for g, v in results.groups.items()} == {"x": 10, "all": 5}
    assert engine.value(kpi, W46.start, W46.end, {"network": "all"}).number == 5


def test_no_data_is_not_zero(engine):
    empty = parse_period("2026-W30", NOW.date())
    value = rate(engine, "impressions", empty)
    assert value.number is None and value.missing == "no data"


def test_a_metric_absent_adds_zero_when_the_kpi_has_data(store):
    load(store, "T1", "date,likes\n2026-11-09,7\n")
    engine = Engine(store, "T1")
    assert rate(engine, "engagements", W46).number == 7


def test_zero_denominator_is_not_applicable(store):
    load(store, "T1", "date,sessions,conversions\n2026-11-09,0,0\n")
    engine = Engine(store, "T1")
    value = rate(engine, "conversion_rate", W46)
    assert value.number is None and value.missing == "n/a"


def test_rate_without_its_denominator_metric_is_not_applicable(store):
    load(store, "T1", "date,likes\n2026-11-09,7\n")
    engine = Engine(store, "T1")
    assert rate(engine, "engagement_rate", W46).missing == "n/a"


def test_mean_of_daily_values(engine):
    assert rate(engine, "csat", W46).number == pytest.approx(4.5)
    assert rate(engine, "csat", W46, region="fr").number == pytest.approx(4.5)


def test_last_takes_the_latest_date_in_the_period(engine):
    assert rate(engine, "followers", W45).number == 500
    assert rate(engine, "followers", parse_period("2026-11-09..2026-11-11", NOW.date())).number == 520 + 1000


def test_unknown_dimension_and_value_list_what_exists(engine):
    with pytest.raises(InvalidFilter, match="Dimensions: `network`, `region`"):
        engine.check_slice({"netwrk": "x"}, None)
    with pytest.raises(InvalidFilter, match="Known values of network: `facebook`, `instagram`"):
        engine.check_slice({"network": "tiktok"}, None)
    with pytest.raises(InvalidFilter):
        engine.check_slice({}, "segment")


def test_month_rollup_and_daily_rows_agree(store):
    rows = ["date,impressions"] + [
        f"2026-{m:02d}-{d:02d},{m * 100 + d}" for m in (7, 8, 9) for d in range(1, 29)
    ]
    load(store, "T1", "\n".join(rows) + "\n")
    engine = Engine(store, "T1")
    kpi = engine.catalog.resolve("impressions")
    expected = sum(
        m * 100 + d
        for m in (7, 8, 9)
        for d in range(1, 29)
        if date(2026, 7, 15) <= date(2026, m, d) <= date(2026, 9, 3)
    )
    # Jul 15 - Sep 3: a partial month, a whole month (from the rollup), and a partial month.
    assert engine.value(kpi, date(2026, 7, 15), date(2026, 9, 3)).number == expected


def test_teams_are_isolated(store):
    load(store, "T1", SOCIAL)
    load(store, "T2", "date,metric,value,network\n2026-11-09,impressions,7,tiktok\n")
    one, two = Engine(store, "T1"), Engine(store, "T2")
    assert rate(one, "impressions", W46).number == 6000
    assert rate(two, "impressions", W46).number == 7
    assert two.dimensions == {"network": ["tiktok"]}
    with pytest.raises(InvalidFilter):
        two.check_slice({"network": "facebook"}, None)


def test_an_older_database_upgrades_in_place(tmp_path):
    from sqlite_utils import Database

    from kpi.migrations import migrations
    from kpi.store import Store
    from kpi.store import connection as store_module

    path = tmp_path / "old.db"
    with Store(path) as store:
        load(store, "T1", "date,likes\n2026-11-09,2\n")
    # Turn the file back into what a version before m002 wrote: no freshness table, m002 not recorded.
    raw = Database(path)
    raw.execute("DROP TABLE freshness")
    raw.execute("DELETE FROM _sqlite_migrations WHERE name = 'm002_freshness'")
    raw.execute("PRAGMA user_version = 0")
    raw.conn.commit()
    raw.close()
    store_module._migrated.clear()
    with Store(path) as store:
        assert store.latest_date("T1") == "2026-11-09"
        assert [m.name for m in migrations.applied(Database(store.conn))][-1] == "m002_freshness"


def test_a_new_database_file_is_private(tmp_path):
    import stat

    from kpi.store import Store

    with Store(tmp_path / "private.db"):
        pass
    assert stat.S_IMODE((tmp_path / "private.db").stat().st_mode) == 0o600


def test_the_schema_version_counts_every_migration(tmp_path):
    """A new migration without a new SCHEMA_VERSION would never run on existing files."""
    from sqlite_utils import Database

    from kpi import migrations, store

    with store.Store(tmp_path / "v.db") as s:
        applied = [m.name for m in migrations.migrations.pending(Database(s.conn))]
        assert applied == []
        assert s.conn.execute("PRAGMA user_version").fetchone()[0] == store.SCHEMA_VERSION
    assert len(migrations.migrations._migrations) == store.SCHEMA_VERSION

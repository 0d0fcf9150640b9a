"""The derived tables (monthly rollup, cube, freshness) stay exactly what a full recomputation gives,
whatever mix of new rows, replacements, duplicates, events and records was written."""

import json
import random
from datetime import date, timedelta

import pytest

from kpi.engine import Engine
from kpi.periods import parse_period
from kpi.store.changes import ITEM_DIMENSIONS

from .conftest import NOW, SITE, SOCIAL, ask, load

CUBE_FROM_SCRATCH = """
SELECT s.team, s.metric, o.date, '', '', sum(o.value), count(*)
FROM series s JOIN observations o ON o.series_id = s.id GROUP BY s.team, s.metric, o.date
UNION ALL
SELECT s.team, s.metric, o.date, d.key, d.value, sum(o.value), count(*)
FROM series s JOIN json_each(CASE s.dims WHEN '' THEN '{}' ELSE s.dims END) d
JOIN observations o ON o.series_id = s.id
WHERE d.key NOT IN (SELECT value FROM json_each(?))
GROUP BY s.team, s.metric, o.date, d.key, d.value
"""
# The cube's cells as (team, metric, date or month, dim, value, total, n): each cell hangs off its key.
CUBE_DAILY = "SELECT k.team, k.metric, c.date, k.dim, k.value, c.total, c.n FROM cube_daily c JOIN cube_keys k ON k.id = c.key_id"
CUBE_MONTHLY = CUBE_DAILY.replace("c.date", "c.month").replace("cube_daily", "cube_monthly")
MONTHLY_FROM_SCRATCH = """
SELECT series_id, substr(date, 1, 7), sum(value), count(*), max(date), value FROM observations
GROUP BY series_id, substr(date, 1, 7)
"""


def assert_derived_tables_exact(store):
    def rows(sql, *params):
        return sorted(
            tuple(round(x, 6) if isinstance(x, float) else x for x in r)
            for r in store.conn.execute(sql, params)
        )

    # Item dimensions (a campaign) are not in the cube: their breakdowns are read from the series.
    assert rows(CUBE_DAILY) == rows(CUBE_FROM_SCRATCH, json.dumps(sorted(ITEM_DIMENSIONS)))
    assert rows("SELECT * FROM monthly") == rows(MONTHLY_FROM_SCRATCH)
    assert rows(CUBE_MONTHLY) == rows(
        f"SELECT team, metric, substr(date, 1, 7), dim, value, sum(total), sum(n) FROM ({CUBE_DAILY}) "
        "GROUP BY team, metric, substr(date, 1, 7), dim, value"
    )


def random_csv(seed: int, days: int = 40) -> str:
    rnd = random.Random(seed)
    lines = ["date,metric,value,network,region,campaign"]
    for _ in range(600):
        day = f"2026-{rnd.choice([10, 11])}-{rnd.randint(1, 28):02d}"
        metric = rnd.choice(["likes", "impressions", "posts"])
        network = rnd.choice(["facebook", "x", ""])
        region = rnd.choice(["fr", "us", ""])
        campaign = rnd.choice(["spring", "launch", ""])
        lines.append(f"{day},{metric},{rnd.randint(0, 100)},{network},{region},{campaign}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("lookup_limit", [1, 10**9], ids=["newest-dates", "old-value-lookups"])
def test_cube_is_exact_after_overlapping_imports_and_records(store, monkeypatch, lookup_limit):
    from kpi import staging, writer

    monkeypatch.setattr(staging, "CHUNK_ROWS", 97)  # many chunks: replacements across chunk borders
    monkeypatch.setattr(staging, "BATCH_ROWS", 97)
    monkeypatch.setattr(writer, "LOOKUP_LIMIT", lookup_limit)  # both ways of telling new rows from old
    load(store, "T1", SOCIAL)
    load(store, "T1", SITE)
    for seed in range(4):
        load(store, "T1", random_csv(seed))
        assert_derived_tables_exact(store)
    load(store, "T1", "date,metric,value\n2026-11-09T08:00,likes,1\n2026-11-09T09:00,likes,2\n")
    ask(store, "/kpi record likes 5 2026-11-09 network:x")
    ask(store, "/kpi record likes 6 2026-11-09 network:x")
    load(store, "T2", random_csv(9))
    assert_derived_tables_exact(store)


def test_import_counts_are_exact(store):
    first = load(store, "T1", random_csv(1))
    second = load(store, "T1", random_csv(1))
    distinct = store.conn.execute("SELECT count(*) FROM observations").fetchone()[0]
    assert first.inserted == distinct
    assert first.replaced == first.read - distinct
    assert second.inserted == 0
    # Keys repeated within the file change and change back; every other row is left as it is.
    assert second.unchanged >= distinct - first.replaced
    assert second.replaced + second.unchanged == second.read


KPIS = ["engagement_rate", "impressions", "engagements", "applause_rate", "ctr", "csat", "conversion_rate"]
SLICES = [
    ({}, None),
    ({}, "network"),
    ({}, "region"),
    ({"network": "facebook"}, None),
    ({"network": "all"}, None),
    ({"region": "fr"}, None),
    ({}, "campaign"),
    ({"campaign": "spring"}, None),
]


@pytest.mark.parametrize("name", KPIS)
def test_cube_and_series_give_the_same_answers(store, name):
    load(store, "T1", SOCIAL)
    load(store, "T1", SITE)
    load(store, "T1", random_csv(3))
    cube, series = Engine(store, "T1"), Engine(store, "T1", use_cube=False)
    kpi = cube.catalog.resolve(name)
    ranges = [(p.start, p.end) for p in parse_period("2026-W46", NOW.date()).trend()]
    ranges += [(p.start, p.end) for p in parse_period("last quarter", NOW.date()).trend()]
    ranges.append((parse_period("2026-10-15..2026-11-12", NOW.date()).start, NOW.date()))
    for filters, by in SLICES:
        a, b = cube.evaluate(kpi, ranges, filters, by), series.evaluate(kpi, ranges, filters, by)
        assert rounded(a.totals) == rounded(b.totals)
        assert {g: rounded(vs) for g, vs in a.groups.items()} == {
            g: rounded(vs) for g, vs in b.groups.items()
        }


def stocks_csv(lagging: bool) -> str:
    """Daily followers for three series from October to mid-November; one stops early if lagging."""
    lines = ["date,metric,value,network"]
    for offset in range(46):
        day = date(2026, 10, 1) + timedelta(days=offset)
        for index, network in enumerate(["facebook", "x", ""]):
            if lagging and network == "x" and day > date(2026, 11, 11):
                continue
            lines.append(f"{day},followers,{1000 * (index + 1) + offset * (index + 2)},{network}")
            lines.append(f"{day},new_followers,{index + 2},{network}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("lagging", [False, True], ids=["every-series-reports-daily", "one-series-lags"])
def test_stocks_from_the_cube_match_the_series(store, lagging):
    load(store, "T1", stocks_csv(lagging))
    cube, series = Engine(store, "T1"), Engine(store, "T1", use_cube=False)
    ranges = [(p.start, p.end) for p in parse_period("2026-W46", NOW.date()).trend(13)]
    ranges += [(p.start, p.end) for p in parse_period("this quarter", NOW.date()).trend()]
    ranges.append((date(2026, 10, 20), date(2026, 11, 13)))
    for name in ("followers", "follower_growth_rate"):
        kpi = cube.catalog.resolve(name)
        for filters, by in [({}, None), ({}, "network"), ({"network": "x"}, None)]:
            a, b = cube.evaluate(kpi, ranges, filters, by), series.evaluate(kpi, ranges, filters, by)
            assert rounded(a.totals) == rounded(b.totals)
            assert {g: rounded(v) for g, v in a.groups.items()} == {
                g: rounded(v) for g, v in b.groups.items()
            }
        # The cube answers only when every series has a point on each range's latest date.
        assert (cube._evaluate_cube(kpi, ranges, {}, None) is None) == lagging


def rounded(values):
    return [(None if v.number is None else round(v.number, 9), v.missing) for v in values]


def test_an_older_database_gets_its_cube_by_key_and_drops_the_item_dimension_cells(tmp_path):
    """A file from before migrations 13 and 14 keeps its cube keyed by (team, metric, date, dim,
    value) and holds cells for item dimensions: the upgrade drops those, carries every other cell
    over to the keyed tables, and the cube then equals a recomputation, and answers as before."""
    from sqlite_utils import Database

    from kpi import migrations
    from kpi.store import Store
    from kpi.store import connection as store_module

    new, old = tmp_path / "new.db", tmp_path / "old.db"
    with Store(new) as s:
        load(s, "T1", random_csv(5))
        before = [ask(s, f"/kpi {q}").lines for q in ("likes 2026-10", "impressions 2026-11 by network")]
    raw = Database(old)
    migrations.migrations.apply(raw, stop_before="m013_item_dimensions_off_the_cube")
    raw.execute("ATTACH DATABASE ? AS new", [str(new)])
    for table in (
        "series",
        "observations",
        "monthly",
        "team_settings",
        "dimension_values",
        "metric_dimensions",
    ):
        raw.execute(f"INSERT INTO main.{table} SELECT * FROM new.{table}")
    raw.execute(f"INSERT INTO cube_daily {CUBE_FROM_SCRATCH}", ["[]"])  # campaign cells included
    raw.execute(
        "INSERT INTO cube_monthly SELECT team, metric, substr(date, 1, 7), dim, value, sum(total), sum(n) "
        "FROM cube_daily GROUP BY 1, 2, 3, 4, 5"
    )
    raw.conn.commit()
    raw.execute("DETACH DATABASE new")
    raw.execute("PRAGMA user_version = 12")
    assert raw.execute("SELECT count(*) FROM cube_daily WHERE dim = 'campaign'").fetchone()[0] > 0
    raw.close()
    store_module._migrated.clear()
    with Store(old) as s:
        campaign_keys = "SELECT count(*) FROM cube_keys WHERE dim = 'campaign'"
        assert s.conn.execute(campaign_keys).fetchone()[0] == 0
        assert s.conn.execute("SELECT count(*) FROM cube_daily").fetchone()[0] > 0
        assert_derived_tables_exact(s)
        assert [
            ask(s, f"/kpi {q}").lines for q in ("likes 2026-10", "impressions 2026-11 by network")
        ] == before

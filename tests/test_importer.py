import io

import pytest

from kpi.engine import Engine
from kpi.errors import ImportFailed
from kpi.importer import import_file
from kpi.periods import parse_period

from .conftest import NOW, SOCIAL, load, snapshot

W46 = parse_period("2026-W46", NOW.date())


def total(store, metric, team="T1", **filters):
    engine = Engine(store, team)
    return engine.value(engine.catalog.resolve(metric), W46.start, W46.end, filters).number


def test_long_layout(store):
    summary = load(store, "T1", SOCIAL)
    assert summary.layout == "long"
    assert (summary.read, summary.inserted, summary.replaced, summary.rejected) == (31, 31, 0, 0)
    assert total(store, "impressions") == 6000


def test_wide_layout_with_text_dimensions(store):
    csv = "Date,Impressions,Likes,Network,Campaign Name\n2026-11-09,100,5,Facebook,Black Friday\n2026-11-10,200,,instagram,\n"
    summary = load(store, "T1", csv)
    assert summary.layout == "wide"
    assert (summary.read, summary.inserted) == (2, 3)  # the empty likes cell is skipped
    assert Engine(store, "T1").dimensions == {
        "campaign_name": ["black friday"],
        "network": ["facebook", "instagram"],
    }
    assert total(store, "impressions", network="facebook") == 100


def test_reimport_changes_nothing_and_says_so(store):
    load(store, "T1", SOCIAL)
    before = snapshot(store)
    again = load(store, "T1", SOCIAL)
    assert (again.inserted, again.replaced, again.unchanged) == (0, 0, 31)
    assert again.counts() == "31 rows read, 0 inserted, 0 replaced, 31 unchanged, 0 rejected (long layout)"
    assert snapshot(store) == before


def test_a_first_import_writes_each_cube_cell_once_when_its_metrics_fit_in_a_batch(store, monkeypatch):
    """A batch holds whole metrics: a batch that took part of a metric wrote that metric's cube cells,
    and the next batch wrote them again, under the lock."""
    from kpi import staging

    from .test_writer import assert_derived_tables_exact

    monkeypatch.setattr(staging, "BATCH_ROWS", 90)  # each metric (84 keys) fits, both do not
    store.conn.execute("CREATE TEMP TABLE rewrites (name TEXT)")
    for table in ("cube_daily", "cube_monthly", "monthly"):
        store.conn.execute(
            f"CREATE TEMP TRIGGER rewrite_{table} AFTER UPDATE ON main.{table} "
            f"BEGIN INSERT INTO rewrites VALUES ('{table}'); END"
        )
    rows = "".join(f"2026-11-{day:02d},{day},{2 * day},x{s}\n" for day in range(1, 29) for s in range(3))
    seen = []
    summary = load(
        store, "T1", "date,likes,impressions,segment\n" + rows, progress=lambda *step: seen.append(step)
    )
    assert summary.inserted == 168
    assert store.conn.execute("SELECT name, count(*) FROM rewrites GROUP BY name").fetchall() == []
    assert [(done, total) for stage, done, total in seen if stage == "writing"] == [(1, 2), (2, 2)]
    assert_derived_tables_exact(store)


def test_old_values_are_primary_key_searches_on_every_sqlite(store):
    """Row values in `IN (VALUES ...)` are planned as a scan by SQLite 3.40: re-imports went quadratic."""
    from kpi.store import OLD_VALUES_SQL

    plan = [row[3] for row in store.conn.execute("EXPLAIN QUERY PLAN " + OLD_VALUES_SQL, ("[]",))]
    assert any(step.startswith("SEARCH o USING PRIMARY KEY (series_id=? AND date=?)") for step in plan), plan
    assert not any(step.startswith("SCAN o") for step in plan), plan


def test_the_merge_reads_and_writes_by_primary_key_and_never_scans_the_store(store):
    """The statements of an import's merge (kpi/store/staged.py): each reaches the store's tables by
    key, and the ones under the write lock read the side file in key order."""
    from kpi.store import staged

    side = staged.StagedFile(store)
    try:
        for sql in (staged.OLD_SQL, staged.CHANGED_SQL, *staged.APPLY_SQL):
            params = ("T1",) if "?" in sql else ()
            plan = [row[3] for row in store.conn.execute("EXPLAIN QUERY PLAN " + side._sql(sql), params)]
            store_scans = [step for step in plan if step.split()[:2] in (["SCAN", "o"], ["SCAN", "main"])]
            assert not store_scans, plan
            assert not any("TEMP B-TREE" in step for step in plan), plan  # no sort under the lock
        plan = [row[3] for row in store.conn.execute("EXPLAIN QUERY PLAN " + side._sql(staged.OLD_SQL))]
        assert "SEARCH o USING PRIMARY KEY (series_id=? AND date=?)" in plan, plan
    finally:
        side.close()


def test_an_imports_series_are_found_by_index_searches(store):
    from kpi.store import EXISTING_SERIES_SQL

    plan = [row[3] for row in store.conn.execute("EXPLAIN QUERY PLAN " + EXISTING_SERIES_SQL, ("[]", "T1"))]
    assert any(
        step.startswith("SEARCH s USING") and "(team=? AND metric=? AND dims=?)" in step for step in plan
    ), plan
    assert not any(step.startswith("SCAN s") for step in plan), plan


def test_cube_keys_are_found_by_index_searches(store):
    from kpi.store import CUBE_KEYS_SQL

    plan = [row[3] for row in store.conn.execute("EXPLAIN QUERY PLAN " + CUBE_KEYS_SQL, ("[]", "T1"))]
    assert any("(team=? AND metric=? AND dim=? AND value=?)" in step for step in plan), plan
    assert not any(step.startswith("SCAN c") for step in plan), plan


def test_an_imports_new_cube_keys_follow_every_stored_key_in_key_order(store):
    """So its cube cells are appended to the end of the cube tables, one run a metric, even when
    another team's cells sort after its own (the write lock's cube time halved)."""
    load(store, "T9", SOCIAL)
    others = store.conn.execute("SELECT max(id) FROM cube_keys").fetchone()[0]
    load(store, "T1", SOCIAL)
    keys = store.conn.execute("SELECT id, metric, dim, value FROM cube_keys WHERE team = 'T1'").fetchall()
    assert len(keys) > 3 and min(k[0] for k in keys) > others
    assert sorted(keys) == sorted(keys, key=lambda k: k[1:])


def test_reimport_with_new_value_replaces_it(store):
    load(store, "T1", "date,impressions\n2026-11-09,100\n")
    summary = load(store, "T1", "date,impressions\n2026-11-09,150\n2026-11-10,1\n")
    assert (summary.inserted, summary.replaced) == (1, 1)
    assert total(store, "impressions") == 151


def test_datetimes_are_bucketed_to_the_teams_day_and_add_up(store):
    csv = "date,metric,value\n2026-11-09T08:00:00,likes,1\n2026-11-09 21:00,likes,2\n2026-11-15T23:30:00Z,likes,4\n"
    load(store, "T1", csv, tz="Europe/Paris")
    # 23:30 UTC on Nov 15 is 00:30 on Nov 16 in Paris: outside W46.
    assert total(store, "engagements") == 3
    load(store, "T1", csv, tz="Europe/Paris")
    assert total(store, "engagements") == 3  # re-importing the same events changes nothing


def test_names_are_normalised(store):
    load(
        store,
        "T1",
        "date,metric,value,Network\n2026-11-09,New Followers,3, LinkedIn \n2026-11-09,newFollowers,4,linkedin\n",
    )
    assert store.metrics("T1") == ["new_followers"]
    assert (
        total(store, "new_followers", network="linkedin") == 4
    )  # same key: the second row replaced the first


def test_thousands_separators_in_quoted_numbers(store):
    load(store, "T1", 'date,impressions\n2026-11-09,"12,345"\n')
    assert total(store, "impressions") == 12345


BAD_FILES = {
    "non-numeric value": (
        "date,metric,value\n2026-11-09,likes,3\n2026-11-10,likes,lots\n",
        "line 3: `lots` is not a number",
    ),
    "bad date": (
        "date,metric,value\n2026-11-09,likes,3\n09/11/2026,likes,1\n",
        "line 3: `09/11/2026` is not a date",
    ),
    "impossible date": ("date,likes\n2026-02-30,1\n", "line 2: `2026-02-30` is not a date"),
    "empty metric": ("date,metric,value\n2026-11-09,,3\n", "line 2: the metric name is empty"),
    "wrong field count": (
        "date,metric,value\n2026-11-09,likes,3,extra\n",
        "line 2: 4 fields where the header has 3",
    ),
    "infinite": ("date,likes\n2026-11-09,inf\n", "line 2: `inf` is not a number"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_rows_write_nothing(store, case):
    load(store, "T1", SOCIAL)
    before = snapshot(store)
    text, problem = BAD_FILES[case]
    with pytest.raises(ImportFailed) as err:
        load(store, "T1", text)
    assert [p for p in err.value.problems if p.startswith(problem)]
    assert "nothing was imported" in str(err.value)
    assert snapshot(store) == before


def test_every_bad_row_is_listed_with_its_line(store):
    text = "date,metric,value\n2026-11-09,likes,x\n2026-11-09,likes,1\nnope,likes,2\n"
    with pytest.raises(ImportFailed) as err:
        load(store, "T1", text)
    assert err.value.problems == [
        "line 2: `x` is not a number",
        "line 4: `nope` is not a date; write dates as YYYY-MM-DD",
    ]


def test_line_numbers_count_physical_lines_of_quoted_cells(store):
    text = 'date,metric,value,note\n2026-11-09,likes,1,"two\nlines"\n2026-11-09,likes,bad,x\n'
    with pytest.raises(ImportFailed) as err:
        load(store, "T1", text)
    assert err.value.problems == ["line 4: `bad` is not a number"]


def test_skip_invalid_writes_the_valid_rows(store):
    summary = load(
        store, "T1", "date,metric,value\n2026-11-09,likes,3\n2026-11-10,likes,x\n", skip_invalid=True
    )
    assert (summary.read, summary.inserted, summary.rejected) == (2, 1, 1)
    assert summary.problems == ["line 3: `x` is not a number"]
    assert total(store, "engagements") == 3


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "is empty"),
        ("metric,value\nlikes,3\n", "line 1: no `date` column"),
        ("date,value\n2026-11-09,3\n", "needs a `metric` column"),
        ("date,metric\n2026-11-09,likes\n", "needs a `value` column"),
        ("date,network\n2026-11-09,x\n", "no metric columns"),
        ("date,likes,Likes\n2026-11-09,1,2\n", "appears twice"),
    ],
)
def test_file_level_errors(store, text, message):
    load(store, "T1", SOCIAL)
    before = snapshot(store)
    with pytest.raises(ImportFailed, match=message):
        load(store, "T1", text)
    assert snapshot(store) == before


def test_a_file_that_is_not_utf8_is_read_as_windows_1252(store):
    """Excel on Windows saves CSV as cp1252 (SOURCES §3): `Zürich` arrives as one byte per letter."""
    latin1 = "date,metric,value,region\n2026-11-09,likes,3,fr\n2026-11-09,likes,4,Zürich\n".encode("cp1252")
    import_file(store, "T1", "latin.csv", stream=io.BytesIO(latin1))
    assert total(store, "likes", region="zürich") == 4


def test_utf8_bom_is_accepted(store):
    import_file(store, "T1", "bom.csv", stream=io.BytesIO("\ufeffdate,likes\n2026-11-09,2\n".encode()))
    assert total(store, "engagements") == 2


def test_imports_are_scoped_by_team(store):
    load(store, "T1", "date,likes\n2026-11-09,2\n")
    load(store, "T2", "date,likes\n2026-11-09,5\n")
    assert total(store, "engagements", team="T1") == 2
    assert total(store, "engagements", team="T2") == 5


def test_streams_in_chunks_with_progress(store, monkeypatch):
    from kpi import staging

    monkeypatch.setattr(staging, "CHUNK_ROWS", 10)
    monkeypatch.setattr(staging, "BATCH_ROWS", 10)
    seen = []
    rows = "".join(f"2026-11-{1 + i % 28:02d},{i},x{i % 3}\n" for i in range(95))
    summary = load(store, "T1", "date,likes,segment\n" + rows, progress=lambda *step: seen.append(step))
    assert summary.inserted == 84  # 28 days x 3 segments; later rows replace earlier ones
    assert summary.replaced == 11
    reading = [done for stage, done, _ in seen if stage == "reading"]
    writing = [(done, total) for stage, done, total in seen if stage == "writing"]
    assert len(reading) >= 9 and reading == sorted(reading)
    # Written a batch of series at a time, and a series is never split: one batch per segment here.
    assert writing == [(1, 3), (2, 3), (3, 3)]
    # Every stage comes after every read: nothing is written before the whole file has passed.
    assert [stage for stage, _, _ in seen] == ["reading"] * len(reading) + ["writing"] * len(writing)

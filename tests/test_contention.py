"""Two writers at once: the second waits for the lock, and when it cannot have it, says so in one line
having written nothing."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest

from bot import cli
from kpi.errors import Busy
from kpi.store import Store
from kpi.store import connection as store_module

from .conftest import SOCIAL, ask, load, snapshot


@pytest.fixture
def held(db_path, monkeypatch):
    """Another process's write transaction on the database, held until released."""
    monkeypatch.setattr(store_module, "BUSY_SECONDS", 0.3)
    with Store(db_path) as s:
        load(s, "T1", SOCIAL)
    other = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    yield other
    if other.in_transaction:
        other.execute("ROLLBACK")
    other.close()


def test_a_record_while_another_writer_holds_the_lock_is_refused_and_writes_nothing(held, db_path):
    with Store(db_path) as s:
        before = snapshot(s)
        with pytest.raises(Busy, match="busy with another write .* Nothing was changed"):
            ask(s, "/kpi record likes 5 2026-11-10 network:x")
        held.execute("ROLLBACK")
        assert snapshot(s) == before
        assert ask(s, "/kpi record likes 5 2026-11-10 network:x").title.startswith("Recorded likes = 5")


def test_a_writer_waits_for_a_short_lock(held, db_path, monkeypatch):
    monkeypatch.setattr(store_module, "BUSY_SECONDS", 5.0)

    def release() -> None:  # a sleeping thread, not threading.Timer: libfaketime stalls timed waits
        time.sleep(0.3)
        held.execute("COMMIT")

    releaser = threading.Thread(target=release)
    releaser.start()
    with Store(db_path) as s:
        assert ask(s, "/kpi record likes 6 2026-11-10 network:x").title.startswith("Recorded likes = 6")
    releaser.join()


def test_reads_go_on_while_a_writer_holds_the_lock(held, db_path):
    with Store(db_path) as s:
        assert ask(s, "/kpi engagements 2026-W46").lines[0].startswith("290 ")


def test_a_second_import_says_the_database_is_busy_in_one_line(held, db_path, tmp_path, capsys):
    (tmp_path / "more.csv").write_text("date,likes\n2026-11-10,3\n")
    started = time.monotonic()
    code = cli.main(["import", str(tmp_path / "more.csv"), "--db", str(db_path)])
    err = capsys.readouterr().err
    assert code == 1
    assert err.strip().splitlines() == [
        f"{tmp_path / 'more.csv'}: kpibot's database is busy with another write (an import, most likely) "
        "and stayed busy for 0.3 seconds. Nothing was changed; try again in a minute."
    ]
    assert "Traceback" not in err and time.monotonic() - started < 30


def test_an_import_counts_the_time_it_holds_the_lock_and_not_the_time_it_waits_for_it(
    held, db_path, monkeypatch
):
    """The benchmark's lock share comes from this measure, so waiting on another writer must not
    inflate it, and the import's own transactions must not go uncounted."""
    monkeypatch.setattr(store_module, "BUSY_SECONDS", 5.0)

    def release() -> None:
        time.sleep(0.4)
        held.execute("COMMIT")

    releaser = threading.Thread(target=release)
    with Store(db_path) as s:
        started = time.perf_counter()
        releaser.start()
        summary = load(s, "T1", _wide_month())
        elapsed = time.perf_counter() - started
    releaser.join()
    assert summary.inserted == 84 and elapsed >= 0.4
    assert 0 < summary.locked_seconds < 0.4


def _wide_month(days: int = 28, segments: int = 3) -> str:
    rows = "".join(
        f"2026-10-{day:02d},{day * 10 + s},x{s}\n" for day in range(1, days + 1) for s in range(segments)
    )
    return "date,likes,segment\n" + rows


@pytest.mark.parametrize("lookup_limit", [1, 10**9], ids=["newest-dates", "old-value-lookups"])
def test_other_writers_get_in_while_an_import_runs_and_the_derived_tables_stay_exact(
    db_path, monkeypatch, lookup_limit
):
    """A `/kpi record` from another connection, with no wait at all, while the file is read and
    between each of its written chunks; one of them writes a day the import later replaces."""
    from kpi import staging, writer

    from .test_writer import assert_derived_tables_exact

    monkeypatch.setattr(staging, "CHUNK_ROWS", 9)
    monkeypatch.setattr(staging, "BATCH_ROWS", 9)
    monkeypatch.setattr(writer, "LOOKUP_LIMIT", lookup_limit)
    monkeypatch.setattr(store_module, "BUSY_SECONDS", 0.0)
    recorded = []

    def record_meanwhile(stage: str, done: int, total: int) -> None:
        with Store(db_path) as other:
            day = 28 if stage == "writing" and done == 1 else 1 + len(recorded) % 27
            segment = "x1" if day == 28 else "elsewhere"
            ask(other, f"/kpi record likes 7 2026-09-{day:02d} segment:{segment}")
            ask(other, f"/kpi record likes 7 2026-10-{day:02d} segment:{segment}")
            recorded.append(stage)

    with Store(db_path) as s:
        summary = load(s, "T1", _wide_month(), progress=record_meanwhile)
        assert summary.inserted + summary.replaced == 84
        assert {"reading", "writing"} <= set(recorded)
        # The import's own row for 28 October wins over the record that came before it ...
        assert s.conn.execute(
            "SELECT o.value FROM observations o JOIN series s ON s.id = o.series_id "
            "WHERE s.metric = 'likes' AND s.dims = ? AND o.date = '2026-10-28'",
            ('{"segment":"x1"}',),
        ).fetchone() == (281.0,)
        # ... and the cube counted that day once, not once for the record and once for the import.
        assert_derived_tables_exact(s)


def test_an_import_with_a_bad_last_row_writes_nothing_and_never_takes_the_lock(db_path, monkeypatch):
    from kpi import staging

    monkeypatch.setattr(staging, "CHUNK_ROWS", 9)
    text = _wide_month() + "2026-10-29,not a number,x0\n"
    with Store(db_path) as s:
        load(s, "T1", SOCIAL)
        before = snapshot(s)
        other = sqlite3.connect(db_path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # held by someone else the whole time: staging needs no lock
        with pytest.raises(Exception, match="1 invalid row; nothing was imported"):
            load(s, "T1", text)
        other.execute("ROLLBACK")
        other.close()
        assert snapshot(s) == before


def test_a_write_between_reading_a_batch_and_taking_the_lock_is_read_again(db_path, monkeypatch):
    """The merge reads what a batch replaces without the lock, then waits for it; another writer that
    gets in between (here it holds the lock while the merge reads, and records a day the next batch
    replaces) must not leave the derived tables counting the old value."""
    from kpi import staging

    from .test_writer import assert_derived_tables_exact

    monkeypatch.setattr(staging, "CHUNK_ROWS", 9)  # a batch per segment: x0, x1, x2
    monkeypatch.setattr(staging, "BATCH_ROWS", 9)
    locked, threads = threading.Event(), []

    def other_writer() -> None:
        with Store(db_path) as other:
            other.conn.execute("BEGIN IMMEDIATE")
            locked.set()
            time.sleep(0.3)  # the merge reads its next batch meanwhile, then waits for the lock
            ask(other, "/kpi record likes 7 2026-10-28 segment:x1")  # a savepoint in this transaction
            other.conn.commit()

    def after_a_batch(stage: str, done: int, total: int) -> None:
        if stage == "writing" and done == 1:
            threads.append(threading.Thread(target=other_writer))
            threads[0].start()
            locked.wait(5)

    with Store(db_path) as s:
        summary = load(s, "T1", _wide_month(), progress=after_a_batch)
        threads[0].join()
        assert (summary.inserted, summary.replaced) == (83, 1)  # the record came first: 28 Oct x1 replaced
        assert_derived_tables_exact(s)

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

"""The connection to kpibot's SQLite file: opened, migrated, and written in transactions.

One ``Store`` per thread of work (a listener call, a job, a CLI command): SQLite connections are not
shared across threads.
"""

from __future__ import annotations

import itertools
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import Busy

# The number of migrations in kpi/migrations.py: a file whose user_version is lower is migrated.
SCHEMA_VERSION = 14
# How long a writer waits for another's write lock before it is told the database is busy.
BUSY_SECONDS = 10.0
# How often a waiting writer asks for the lock again.
POLL_SECONDS = 0.004
_savepoints = itertools.count()
_migrated: set[str] = set()
_migrate_lock = threading.Lock()


class Connection:
    def __init__(self, path: str | Path, *, default_tz: str = "UTC") -> None:
        self.path = str(path)
        self.default_tz = default_tz
        if self.path != ":memory:" and not Path(self.path).exists():
            # Metric history and team settings are the workspace's own: readable by kpibot's user only.
            Path(self.path).touch(mode=0o600)
        # A plain connection: sqlite-utils (and the numpy it imports) loads only to migrate a file.
        self.conn = conn = sqlite3.connect(self.path, timeout=BUSY_SECONDS)
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_SECONDS * 1000)}")
        if self.path != ":memory:":
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA temp_store = MEMORY")
        self._migrate()

    def _migrate(self) -> None:
        """Apply the migrations a file lacks. ``user_version`` says which it has, so an up-to-date
        file costs one pragma; only an older one loads the migrations (and sqlite-utils)."""
        key = str(Path(self.path).resolve()) if self.path != ":memory:" else None
        if key in _migrated:
            return
        with _migrate_lock:
            if self.conn.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
                from sqlite_utils import Database

                from .. import migrations

                migrations.apply(Database(self.conn, execute_plugins=False))
                self.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            if key:
                _migrated.add(key)

    @contextmanager
    def atomic(self) -> Iterator[Connection]:
        """One transaction (a savepoint inside another): all of it is written, or none."""
        if self.conn.in_transaction:
            name = f"kpibot_{next(_savepoints)}"
            self.conn.execute(f"SAVEPOINT {name}")
            try:
                yield self
            except BaseException:
                self.conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
                self.conn.execute(f"RELEASE SAVEPOINT {name}")
                raise
            self.conn.execute(f"RELEASE SAVEPOINT {name}")
            return
        self._begin_immediate()
        try:
            yield self
        except BaseException:
            self.conn.rollback()
            raise
        self.conn.commit()

    def _begin_immediate(self) -> None:
        """Take the write lock now, or raise Busy before anything is written.

        SQLite's own busy wait sleeps up to 100 ms between tries, so a writer waiting on an import
        that commits chunk after chunk keeps missing the short gaps between them; polling every few
        milliseconds gets it in at the next gap.
        """
        deadline = time.monotonic() + BUSY_SECONDS
        self.conn.execute("PRAGMA busy_timeout = 0")
        try:
            while True:
                try:
                    self.conn.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as exc:
                    if "locked" not in str(exc) and "busy" not in str(exc):
                        raise
                    if time.monotonic() >= deadline:
                        raise Busy(
                            "kpibot's database is busy with another write (an import, most likely) and "
                            f"stayed busy for {BUSY_SECONDS:g} seconds. Nothing was changed; try again "
                            "in a minute."
                        ) from None
                    time.sleep(POLL_SECONDS)
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {int(BUSY_SECONDS * 1000)}")

    def data_version(self) -> int:
        """Changes whenever another connection commits: lets a writer that spreads its work over
        several transactions know whether what it read in an earlier one may be stale."""
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

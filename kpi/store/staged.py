"""An import's side file: a private SQLite database attached to the store's connection, where the
rows are staged, combined and turned into the changes of every derived table, before any of it
touches the shared file.

Why a SQLite file and not Python lists: the merge into the store is then one ``INSERT ... SELECT``
per table, in key order, which is several times faster than binding each row from Python, and it is
the only part of an import that holds the store's write lock. Everything else (combining a file's
repeated keys, reading the values it replaces, summing the cube and rollup changes) reads the store
without a lock, as WAL lets readers do.

The side file has no journal and is unlinked as soon as it is open, so a killed import leaves
nothing behind.
"""

from __future__ import annotations

import itertools
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .changes import KEY, by_month, cube_changes, month_changes
from .connection import Connection

_names = itertools.count()
CACHE_KB = 16_384

SCHEMA = (
    # One row per key of the file, local series number first: its final value (the last row that
    # replaces plus the rows that add) and, once read, the value it replaces (NULL: a new key).
    "CREATE TABLE {s}.rows (n INTEGER NOT NULL, date TEXT NOT NULL, value REAL NOT NULL, old REAL, "
    "PRIMARY KEY (n, date)) WITHOUT ROWID",
    # The series of the batch being merged, by store id.
    "CREATE TABLE {s}.batch (n INTEGER PRIMARY KEY, sid INTEGER NOT NULL UNIQUE, stored INTEGER NOT NULL)",
    # The changes the batch makes to the derived tables.
    "CREATE TABLE {s}.cube (key_id INTEGER NOT NULL, date TEXT NOT NULL, total REAL NOT NULL, "
    "n INTEGER NOT NULL, PRIMARY KEY (key_id, date)) WITHOUT ROWID",
    "CREATE TABLE {s}.cube_months (key_id INTEGER NOT NULL, month TEXT NOT NULL, total REAL NOT NULL, "
    "n INTEGER NOT NULL, PRIMARY KEY (key_id, month)) WITHOUT ROWID",
    "CREATE TABLE {s}.months (sid INTEGER NOT NULL, month TEXT NOT NULL, total REAL NOT NULL, "
    "n INTEGER NOT NULL, last_date TEXT NOT NULL, last_value REAL NOT NULL, PRIMARY KEY (sid, month)) "
    "WITHOUT ROWID",
)

SET_SQL = (
    "INSERT INTO {s}.rows (n, date, value) VALUES (?, ?, ?) "
    "ON CONFLICT (n, date) DO UPDATE SET value = excluded.value"
)
ADD_SQL = (
    "INSERT INTO {s}.rows (n, date, value) VALUES (?, ?, ?) "
    "ON CONFLICT (n, date) DO UPDATE SET value = value + excluded.value"
)

# The stored value each key of the batch replaces: one primary-key search a row (a test checks the plan).
OLD_SQL = (
    "UPDATE {s}.rows SET old = (SELECT o.value FROM main.observations AS o "
    "WHERE o.series_id = (SELECT b.sid FROM {s}.batch AS b WHERE b.n = rows.n) AND o.date = rows.date) "
    "WHERE n IN (SELECT n FROM {s}.batch WHERE stored)"
)
# The batch's keys that change anything, by store id and date.
CHANGED_SQL = (
    "SELECT b.sid, r.date, r.value, r.value - coalesce(r.old, 0), r.old IS NULL FROM {s}.batch AS b CROSS JOIN {s}.rows AS r ON r.n = b.n "
    "WHERE r.old IS NOT r.value ORDER BY b.sid"
)

# The only statements that hold the store's write lock: each reads its batch in key order.
APPLY_SQL = (
    "INSERT INTO main.observations (series_id, date, value) SELECT b.sid, r.date, r.value "
    "FROM {s}.batch AS b CROSS JOIN {s}.rows AS r ON r.n = b.n WHERE r.old IS NOT r.value ORDER BY b.sid "
    "ON CONFLICT (series_id, date) DO UPDATE SET value = excluded.value",
    "INSERT INTO main.cube_daily (key_id, date, total, n) SELECT key_id, date, total, n FROM {s}.cube WHERE true "
    "ON CONFLICT (key_id, date) DO UPDATE SET total = total + excluded.total, n = n + excluded.n",
    "INSERT INTO main.cube_monthly (key_id, month, total, n) SELECT key_id, month, total, n FROM {s}.cube_months "
    "WHERE true ON CONFLICT (key_id, month) DO UPDATE SET total = total + excluded.total, n = n + excluded.n",
    "INSERT INTO main.monthly (series_id, month, total, n, last_date, last_value) "
    "SELECT sid, month, total, n, last_date, last_value FROM {s}.months WHERE true "
    "ON CONFLICT (series_id, month) DO UPDATE SET total = total + excluded.total, n = n + excluded.n, "
    "last_date = max(last_date, excluded.last_date), "
    "last_value = CASE WHEN excluded.last_date >= last_date THEN excluded.last_value ELSE last_value END",
)


@dataclass
class BatchCounts:
    """What one batch does: keys new to the store, keys that change, and its newest changed date."""

    inserted: int = 0
    changed: int = 0
    latest: str | None = None


class StagedFile:
    """The side file of one import, attached to ``store``'s connection under a name of its own."""

    def __init__(self, store: Connection) -> None:
        if store.conn.in_transaction:
            raise RuntimeError("an import's side file is attached outside any transaction")
        self.conn = store.conn
        self.name = f"kpibot_staged_{next(_names)}"
        folder = Path(store.path).parent if store.path != ":memory:" else None
        handle, path = tempfile.mkstemp(prefix="kpibot-import-", suffix=".db", dir=folder)
        os.close(handle)
        try:
            self.conn.execute(f"ATTACH DATABASE ? AS {self.name}", (path,))
            self.conn.execute(f"PRAGMA {self.name}.journal_mode = OFF")
            self.conn.execute(f"PRAGMA {self.name}.synchronous = OFF")
            # 16 MB each: a batch's pages stay in memory until its commit instead of spilling while
            # the lock is held. 64 MB each measured no faster, and took the peak memory of a
            # 3.5-million-row import from 115 to 215 MB.
            self.conn.execute(f"PRAGMA {self.name}.cache_size = -{CACHE_KB}")
            self.cache_size = self.conn.execute("PRAGMA main.cache_size").fetchone()[0]
            self.conn.execute(f"PRAGMA main.cache_size = -{CACHE_KB}")
            # The merge checkpoints between its transactions (see checkpoint), not inside each commit.
            self.autocheckpoint = self.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
            self.conn.execute("PRAGMA wal_autocheckpoint = 0")
            for statement in SCHEMA:
                self.conn.execute(statement.format(s=self.name))
            self.conn.commit()
        finally:
            os.unlink(path)  # the open file lives on; nothing is left behind, however the import ends

    def _sql(self, template: str) -> str:
        return template.format(s=self.name)

    def stage(self, sets: list[tuple[int, str, float]], adds: list[tuple[int, str, float]]) -> None:
        """Write one chunk of (local series number, date, value) rows into the side file, in key
        order: rows that replace (the last of a key wins; the sort is stable), then rows that add.
        Only the side file is written, so no lock of the store is taken."""
        sets.sort(key=KEY)
        adds.sort(key=KEY)
        self.conn.executemany(self._sql(SET_SQL), sets)
        self.conn.executemany(self._sql(ADD_SQL), adds)
        self.conn.commit()

    def sizes(self) -> dict[int, int]:
        """The number of keys of each local series."""
        return dict(self.conn.execute(self._sql("SELECT n, count(*) FROM {s}.rows GROUP BY n")))

    def prepare(
        self, batch: list[tuple[int, int]], cube_keys: dict[int, list[int]], new: set[int], *, commit: bool
    ) -> BatchCounts:
        """Read the values a batch of (store id, local number) series replaces and work out what it
        changes in the derived tables; series in ``new`` were just created and have nothing stored.
        With ``commit`` (outside the caller's write transaction) only the side file is written and
        the read snapshot of the store is let go at once."""
        self.conn.execute(self._sql("DELETE FROM {s}.batch"))
        self.conn.executemany(
            self._sql("INSERT INTO {s}.batch (sid, n, stored) VALUES (?, ?, ?)"),
            ((sid, n, sid not in new) for sid, n in sorted(batch)),
        )
        self.conn.execute(self._sql(OLD_SQL))
        changed = self.conn.execute(self._sql(CHANGED_SQL)).fetchall()
        sids, days, values, amounts, counts = (
            (list(c) for c in zip(*changed, strict=True)) if changed else ([],) * 5
        )
        rows = list(zip(sids, days, values, strict=True))
        for table in ("cube", "cube_months", "months"):
            self.conn.execute(self._sql(f"DELETE FROM {{s}}.{table}"))
        if rows:
            cube = cube_changes(rows, amounts, counts, cube_keys)
            self.conn.executemany(self._sql("INSERT INTO {s}.cube VALUES (?, ?, ?, ?)"), cube)
            self.conn.executemany(
                self._sql("INSERT INTO {s}.cube_months VALUES (?, ?, ?, ?)"), by_month(cube)
            )
            self.conn.executemany(
                self._sql("INSERT INTO {s}.months VALUES (?, ?, ?, ?, ?, ?)"),
                month_changes(rows, amounts, counts),
            )
        if commit:
            self.conn.commit()
        return BatchCounts(sum(counts), len(rows), max(days, default=None))

    def apply(self) -> None:
        """Write the prepared batch into the store, inside the caller's write transaction."""
        for statement in APPLY_SQL:
            self.conn.execute(self._sql(statement))

    def checkpoint(self) -> None:
        """Copy what the store's log holds into the database file, between two of the merge's
        transactions (it calls this every CHECKPOINT_ROWS rows). SQLite's own checkpoint, turned
        off while the file is attached, runs inside a commit after letting the lock go, so the
        time a commit is measured to hold the lock would include it."""
        self.conn.execute("PRAGMA main.wal_checkpoint(PASSIVE)")

    def close(self) -> None:
        if self.conn.in_transaction:
            self.conn.rollback()
        self.conn.execute(f"DETACH DATABASE {self.name}")
        self.conn.execute(f"PRAGMA main.cache_size = {int(self.cache_size)}")
        self.conn.execute(f"PRAGMA wal_autocheckpoint = {int(self.autocheckpoint)}")

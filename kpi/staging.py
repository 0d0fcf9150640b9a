"""An import's rows held on disk until the whole file is known good, then merged a slice at a time.

Parsing and validating a big file takes seconds; holding SQLite's write lock that long shuts every
other writer out (a `/kpi record`, a goal, the digest ledger). So an import stages its rows in an
anonymous temporary file beside the database, writing nothing to the store, and only when every row
has passed does it merge them: one short transaction per staged chunk, each of which keeps the
derived tables (rollups, cube, freshness) exact. A file with a bad row therefore writes nothing at
all; a merge cut short by a killed process leaves whole chunks behind, and importing the same file
again completes it, since every row replaces its key.
"""

from __future__ import annotations

import marshal
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from .store import Store
from .writer import KEY, ObservationWriter, Row

# Rows staged (and later merged) at a time: big enough to write fast, small enough to hold the lock
# for well under a second.
CHUNK_ROWS = 50_000
SeriesKey = tuple[str, tuple[tuple[str, str], ...]]
# Called after each merged chunk with (chunks merged, chunks in all).
MergeProgress = Callable[[int, int], None]
# Called with a stage ("reading" or "writing"), the work done and the work in all: bytes of the
# file while reading, chunks while writing.
Progress = Callable[[str, int, int], None]


class Staging:
    """Chunks of (series, date, value) rows in a temporary file; series are numbered locally
    and get their store ids only at merge, so staging takes no write lock."""

    def __init__(self, store: Store) -> None:
        folder = Path(store.path).parent if store.path != ":memory:" else None
        self.file: BinaryIO = tempfile.TemporaryFile(prefix="kpibot-import-", dir=folder)  # noqa: SIM115
        self.keys: dict[SeriesKey, int] = {}
        self.chunks = 0
        self.rows = 0

    def series(self, metric: str, dims: tuple[tuple[str, str], ...]) -> int:
        """A local number for a metric and (sorted) dimension values."""
        key = (metric, dims)
        number = self.keys.get(key)
        if number is None:
            number = self.keys[key] = len(self.keys)
        return number

    def add(self, replacing: list[Row], adding: list[Row]) -> None:
        """Stage one chunk: rows that replace their key's value, then rows added to it (later
        moments of a day already in this file)."""
        if not replacing and not adding:
            return
        blob = marshal.dumps((replacing, adding))
        self.file.write(len(blob).to_bytes(8, "little"))
        self.file.write(blob)  # read back whole: marshal.load on a file reads it item by item
        self.chunks += 1
        self.rows += len(replacing) + len(adding)

    def merge(self, store: Store, team: str, progress: MergeProgress | None = None) -> ObservationWriter:
        """Write every staged chunk, each in its own short transaction; returns the writer, whose
        counts say what was inserted, replaced and unchanged."""
        self.file.seek(0)
        writer = ObservationWriter(store, team)
        if not self.chunks:
            return writer
        with store.atomic():
            sids = writer.preload(list(self.keys))
        seen = store.data_version()
        for done in range(1, self.chunks + 1):
            # Read and sort the chunk before taking the lock: the gap lets a waiting writer in.
            size = int.from_bytes(self.file.read(8), "little")
            staged = marshal.loads(self.file.read(size))
            replacing, adding = ([(sids[k], day, value) for k, day, value in rows] for rows in staged)
            replacing.sort(key=KEY)
            adding.sort(key=KEY)
            with store.atomic():
                if store.data_version() != seen:
                    writer.forget_watermark()  # another connection wrote since our last chunk
                writer.replace(replacing)
                writer.add(adding)
                writer.finish()
            seen = store.data_version()
            if progress:
                progress(done, self.chunks)
        return writer

    def close(self) -> None:
        self.file.close()

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Chunks:
    """Buffers validated rows and stages them a chunk at a time; ``on_flush`` hears of each chunk
    (for progress)."""

    def __init__(self, staging: Staging, on_flush: Callable[[], None] | None = None) -> None:
        self.staging, self.on_flush = staging, on_flush
        self.series = staging.series
        self.batch: list[Row] = []
        self.additions: list[Row] = []
        # Which (series, day) keys this file has written: a bit per local series number, per day, so
        # memory grows by one bit per key rather than a set entry.
        self.seen: dict[str, bytearray] = {}

    def moment(self, row: Row) -> None:
        """A row to add up within the file (a date-time, a post, a campaign's row): the file's first
        row for a key replaces the stored value, later ones add to it."""
        number, day = row[0], row[1]
        bits = self.seen.get(day)
        if bits is None:
            bits = self.seen[day] = bytearray(len(self.staging.keys) // 8 + 1)
        byte, mask = number >> 3, 1 << (number & 7)
        if byte >= len(bits):
            bits.extend(bytes(byte - len(bits) + 64))
        if bits[byte] & mask:
            self.additions.append(row)
        else:
            bits[byte] |= mask
            self.batch.append(row)
        if len(self.batch) + len(self.additions) >= CHUNK_ROWS:
            self.flush()

    def replace(self, row: Row) -> None:
        """A row that replaces its key's value; within one batch, the last one for a key wins."""
        self.batch.append(row)
        if len(self.batch) >= CHUNK_ROWS:
            self.flush()

    def flush(self) -> None:
        self.staging.add(self.batch, self.additions)
        self.batch, self.additions = [], []
        if self.on_flush:
            self.on_flush()

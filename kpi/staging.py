"""An import's rows held in a side file until the whole file is known good, then merged a batch at a time.

Parsing and validating a big file takes seconds; holding SQLite's write lock that long shuts every
other writer out (a `/kpi record`, a goal, the digest ledger). So an import stages its rows in a
private SQLite file attached beside the store (kpi/store/staged.py), writing nothing to the store,
and only when every row has passed does it merge them. The merge works a batch of series at a time:

1. without the lock, it reads the values the batch replaces and sums the batch's changes to the
   derived tables (rollups, cube) in the side file;
2. with the lock, it checks that no other writer touched the team's data since (the team's data
   version), reads again if one did, and copies the batch in, in key order, one ``INSERT ... SELECT``
   a table.

So the lock is held only for the copying. A file with a bad row writes nothing at all; a merge cut
short by a killed process leaves whole batches behind, each with its derived tables exact, and
importing the same file again completes it, since every row replaces its key.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from .store import Store
from .store.staged import StagedFile
from .writer import ObservationWriter, Row

# Rows parsed and staged at a time: the memory an import holds in Python.
CHUNK_ROWS = 50_000
# Keys merged per transaction: small enough to hold the write lock about a tenth of a second, big
# enough that most metrics fit whole in one (a metric cut in two writes its cube cells twice) and
# that few transactions are paid for.
BATCH_ROWS = 100_000
# Rows merged between two checkpoints: about the 1,000 pages of log SQLite's own would wait for. A
# small import (a push, a day's sync) leaves its log to the next writer's automatic checkpoint
# instead of paying for a checkpoint's disk flush itself.
CHECKPOINT_ROWS = 50_000
SeriesKey = tuple[str, tuple[tuple[str, str], ...]]
# Called after each merged batch with (batches merged, batches in all).
MergeProgress = Callable[[int, int], None]
# Called with a stage ("reading" or "writing"), the work done and the work in all: bytes of the
# file while reading, batches while writing.
Progress = Callable[[str, int, int], None]


class Merged:
    """What a merge did: keys new to the store, keys whose value changed (or that the file gave more
    than once), and keys whose stored value was already the file's."""

    def __init__(self) -> None:
        self.inserted = self.replaced = self.unchanged = 0
        # Seconds spent inside the merge's write transactions (commits included, waits for the lock
        # not): what an import costs everyone else, measured rather than sampled.
        self.locked = 0.0


class Staging:
    """Rows of (series, date, value) in a side file; series are numbered locally and get their store
    ids only at merge, so staging takes no write lock."""

    def __init__(self, store: Store) -> None:
        self.file = StagedFile(store)
        self.keys: dict[SeriesKey, int] = {}
        self.rows = 0
        self.sets = 0

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
        self.file.stage(replacing, adding)
        self.rows += len(replacing) + len(adding)
        self.sets += len(replacing)

    def merge(self, store: Store, team: str, progress: MergeProgress | None = None) -> Merged:
        """Write every staged row, a batch of series per short transaction."""
        merged = Merged()
        if not self.rows:
            return merged
        writer = ObservationWriter(store, team)
        # New series are numbered in (metric, dimensions) order, so that a batch (a few metrics) is
        # one run of ids and its rows go into the store's key order as one run too.
        keys = sorted(self.keys)
        with store.atomic():
            started = time.perf_counter()
            sid_of = dict(zip(keys, writer.preload(keys), strict=True))
            ours = store.data_version_of(team)
        merged.locked += time.perf_counter() - started
        # Series this merge created have nothing stored, so their old values need no reading, as
        # long as no other writer has touched the team's data since.
        new = writer.created
        sizes = self.file.sizes()
        series = [(key[0], sid_of[key], n, sizes[n]) for key, n in self.keys.items() if n in sizes]
        batches = _batches(series)
        unflushed = 0
        for done, batch in enumerate(batches, start=1):
            version = store.data_version_of(team)
            if version != ours:
                new = set()
            counts = self.file.prepare(batch, writer.cube_keys, new, commit=True)
            with store.atomic():
                started = time.perf_counter()
                if store.data_version_of(team) != version:
                    # Another writer changed this team's data meanwhile: read again, under the lock.
                    new = set()
                    counts = self.file.prepare(batch, writer.cube_keys, new, commit=False)
                self.file.apply()
                if counts.latest is not None:
                    store.mark_fresh(team, counts.latest)
                ours = store.data_version_of(team)
            merged.locked += time.perf_counter() - started
            unflushed += counts.changed
            if unflushed >= CHECKPOINT_ROWS:
                self.file.checkpoint()
                unflushed = 0
            merged.inserted += counts.inserted
            merged.unchanged -= counts.changed
            if progress:
                progress(done, len(batches))
        merged.unchanged += sum(sizes.values())
        merged.replaced = self.sets - merged.inserted - merged.unchanged
        return merged

    def close(self) -> None:
        self.file.close()

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _batches(series: list[tuple[str, int, int, int]]) -> list[list[tuple[int, int]]]:
    """(metric, store id, local number, keys) series in batches of (store id, local number) of
    about BATCH_ROWS keys each, a metric's series together: the cube's cells are per metric, so each
    batch then writes its own cells once instead of every batch writing every cell. A series is
    never split; a big metric is, by series: cut by months instead, each cell was written once, but
    every series' later months went into the middle of the observations' key, and at 3.5 million
    rows the observations' time under the lock doubled (1.7 to 3.3 s) for the cube's 2.7 to 1.0 s."""
    by_metric: dict[str, list[tuple[int, int, int]]] = {}
    for metric, sid, n, keys in series:
        by_metric.setdefault(metric, []).append((sid, n, keys))
    batches: list[list[tuple[int, int]]] = []
    batch: list[tuple[int, int]] = []
    count = 0
    for metric in sorted(by_metric):
        group = sorted(by_metric[metric])
        if batch and count + sum(keys for _, _, keys in group) > BATCH_ROWS:
            batches.append(batch)
            batch, count = [], 0
        for sid, n, keys in group:
            batch.append((sid, n))
            count += keys
            if count >= BATCH_ROWS:
                batches.append(batch)
                batch, count = [], 0
    if batch:
        batches.append(batch)
    return batches


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

"""Small writes of observations, in the caller's transaction: `/kpi record` and the demo. (An import,
a push and a sync stage their rows and merge them in batches: kpi/staging.py; they create their
series here.)

Besides the rows themselves it keeps three derived tables exact: the per-series monthly rollup,
the per-dimension-value cube (daily and monthly) and the team's data freshness. The cube is kept
by deltas computed here, so a write never rescans old data: a row whose date is past everything
stored for its series is new; any other row's old value is read first and its difference applied.
"""

from __future__ import annotations

from datetime import date

from .store import Store, dims_key
from .store.changes import KEY, Row, cube_cells, cube_changes

LOOKUP_LIMIT = 1_000


class ObservationWriter:
    """Writes one team's observations inside the caller's transaction; call ``finish`` at the end."""

    def __init__(self, store: Store, team: str) -> None:
        self.store, self.team = store, team
        self.series_ids: dict[tuple[str, tuple[tuple[str, str], ...]], int] = {}
        self.cube_keys: dict[int, list[int]] = {}  # series id: the ids of its cube keys
        self.created: set[int] = set()  # series that ``preload`` created: nothing stored yet
        self.watermark: dict[int, str] | None = None
        self.months: set[str] = set()
        self.written: set[int] = set()
        self.latest = ""
        self.inserted = 0
        self.replaced = 0
        self.unchanged = 0
        self.changed = False

    def series(self, metric: str, dims: tuple[tuple[str, str], ...]) -> int:
        """The series id for a metric and (sorted) dimension values, created on first use."""
        key = (metric, dims)
        sid = self.series_ids.get(key)
        if sid is None:
            sid = self.series_ids[key] = self.store.series_id(self.team, metric, dict(dims))
            cells = cube_cells(metric, dims)
            ids = self.store.cube_key_ids(self.team, cells)
            self.cube_keys[sid] = [ids[cell] for cell in cells]
        return sid

    def preload(self, keys: list[tuple[str, tuple[tuple[str, str], ...]]]) -> list[int]:
        """The series ids of many (metric, dims) keys at once, creating the missing ones."""
        texts = [(metric, dims_key(dict(dims))) for metric, dims in keys]
        known = self.store.existing_series(self.team, texts)
        missing = [(key, text) for key, text in zip(keys, texts, strict=True) if text not in known]
        if missing:
            self.store.create_series(self.team, [key for key, _ in missing])
            created = self.store.existing_series(self.team, [text for _, text in missing])
            self.created.update(created.values())
            known.update(created)
        cells = {key: cube_cells(*key) for key in keys if key not in self.series_ids}
        cube_ids = self.store.cube_key_ids(self.team, (cell for group in cells.values() for cell in group))
        ids = []
        for key, text in zip(keys, texts, strict=True):
            sid = known[text]
            if key in cells:
                self.series_ids[key] = sid
                self.cube_keys[sid] = [cube_ids[cell] for cell in cells[key]]
            ids.append(sid)
        return ids

    def replace(self, rows: list[Row]) -> None:
        """Write rows; a row for a stored (series, date) replaces its value."""
        if not rows:
            return
        rows.sort(key=KEY)
        if self.watermark is None and len(rows) >= LOOKUP_LIMIT:
            self.watermark = self.store.latest_dates(self.team)
        # A few rows (a `/kpi record`) look their old values up directly: cheaper than every
        # series' newest date, which costs a scan of the team's rollup.
        watermark = self.watermark if self.watermark is not None else {}
        amounts: list[float] = [0.0] * len(rows)
        counts: list[int] = [0] * len(rows)
        unsure: list[int] = []
        previous: Row = (-1, "", 0.0)
        for index, row in enumerate(rows):
            sid, day, value = row
            if previous[0] == sid and previous[1] == day:
                amounts[index] = value - previous[2]  # a duplicate key within the chunk: the last wins
            elif self.watermark is not None and day > watermark.get(sid, ""):
                amounts[index], counts[index] = value, 1
                watermark[sid] = day
            else:
                unsure.append(index)
            previous = row
        unchanged: set[int] = set()
        if unsure:
            old = self.store.old_values([KEY(rows[i]) for i in unsure])
            for index in unsure:
                before = old.get(KEY(rows[index]))
                if before is None:
                    amounts[index], counts[index] = rows[index][2], 1
                elif before == rows[index][2]:
                    unchanged.add(index)
                else:
                    amounts[index] = rows[index][2] - before
        if unchanged:
            # A re-read of the same file rewrites nothing: only real changes count as replaced.
            kept = [i for i in range(len(rows)) if i not in unchanged]
            rows = [rows[i] for i in kept]
            amounts = [amounts[i] for i in kept]
            counts = [counts[i] for i in kept]
            self.unchanged += len(unchanged)
        new = sum(counts)
        self.inserted += new
        self.replaced += len(rows) - new
        if not rows:
            return
        self.store.upsert_observations(rows)
        self._to_cube(rows, amounts, counts)

    def add(self, rows: list[Row]) -> None:
        """Add rows to values this writer already wrote (several events of one day)."""
        if not rows:
            return
        rows.sort(key=KEY)
        self.store.add_to_observations(rows)
        self._to_cube(rows, [r[2] for r in rows], [0] * len(rows))

    def _to_cube(self, rows: list[Row], amounts: list[float], counts: list[int]) -> None:
        """Add each row's change to the cube cells of its series (whole team and each dimension value)."""
        self.written.update(row[0] for row in rows)
        self.changed = self.changed or any(amounts) or any(counts)
        self.store.add_to_cube(cube_changes(rows, amounts, counts, self.cube_keys))
        days = {day for _, day, _ in rows}
        self.months.update(day[:7] for day in days)
        self.latest = max(self.latest, max(days))

    def finish(self) -> tuple[int, int]:
        """Roll up the months written since the last ``finish`` and note the freshness; returns the
        writer's (inserted, replaced) so far. Call it before each commit.

        The months written are every series written crossed with every month written: no per-row
        bookkeeping, and for the usual chunk (each series on each day) exactly those months.
        """
        if self.months:
            metrics = {metric for (metric, _), sid in self.series_ids.items() if sid in self.written}
            self.store.refresh_monthly((sid, month) for sid in self.written for month in self.months)
            self.store.refresh_cube_monthly(self.team, ((m, month) for m in metrics for month in self.months))
            if self.changed:
                self.store.mark_fresh(self.team, self.latest)
        self.months, self.written, self.changed = set(), set(), False
        return self.inserted, self.replaced


def record(store: Store, team: str, metric: str, day: date, value: float, dims: dict[str, str]) -> bool:
    """Store one data point (`/kpi record`); returns True when it replaced an existing value."""
    with store.atomic():
        writer = ObservationWriter(store, team)
        writer.replace([(writer.series(metric, tuple(sorted(dims.items()))), day.isoformat(), value)])
        _, replaced = writer.finish()
    return replaced > 0

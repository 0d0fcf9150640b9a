"""Series and observations, and the tables derived from them: the monthly rollup, the per-dimension
cube and the team's data freshness. Observations are reached only through series filtered by team."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from .changes import Cell, CubeChange

OLD_VALUES_SQL = (
    "SELECT o.series_id, o.date, o.value FROM json_each(?) AS k CROSS JOIN observations AS o "
    "ON o.series_id = json_extract(k.value, '$[0]') AND o.date = json_extract(k.value, '$[1]')"
)

EXISTING_SERIES_SQL = (
    "SELECT s.id, s.metric, s.dims FROM json_each(?) AS k CROSS JOIN series AS s "
    "ON s.team = ? AND s.metric = json_extract(k.value, '$[0]') AND s.dims = json_extract(k.value, '$[1]')"
)

CUBE_KEYS_SQL = (
    "SELECT c.metric, c.dim, c.value, c.id FROM json_each(?) AS k CROSS JOIN cube_keys AS c "
    "ON c.team = ? AND c.metric = json_extract(k.value, '$[0]') AND c.dim = json_extract(k.value, '$[1]') "
    "AND c.value = json_extract(k.value, '$[2]')"
)


@dataclass(frozen=True)
class Series:
    id: int
    metric: str
    dims: dict[str, str]


@dataclass
class Agg:
    """Aggregate of one series over one date range: sum, count of data points, and latest point."""

    total: float = 0.0
    n: int = 0
    last_date: str | None = None
    last_value: float = 0.0

    def add(self, total: float, n: int, last_date: str | None, last_value: float) -> None:
        self.total += total
        self.n += n
        if last_date is not None and (self.last_date is None or last_date > self.last_date):
            self.last_date = last_date
            self.last_value = last_value


@lru_cache(maxsize=65536)
def _parse_dims(dims: str) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(json.loads(dims).items())) if dims else ()


def dims_key(dims: dict[str, str]) -> str:
    """Canonical text of a dimension combination: the part of a series' identity after the metric."""
    return json.dumps(dict(sorted(dims.items())), separators=(",", ":")) if dims else ""


class ObservationTables:
    """The store's part that reads and writes observations and their derived tables."""

    def series_for(self, team: str, metrics: Iterable[str]) -> list[Series]:
        metrics = sorted(set(metrics))
        if not metrics:
            return []
        rows = self.conn.execute(
            "SELECT id, metric, dims FROM series WHERE team = ? AND metric IN (SELECT value FROM json_each(?))",
            (team, json.dumps(metrics)),
        ).fetchall()
        return [Series(sid, metric, dict(_parse_dims(dims))) for sid, metric, dims in rows]

    def existing_series(self, team: str, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """The ids of the (metric, dims key) series that exist: one query for a whole import's
        series instead of one each."""
        found: dict[tuple[str, str], int] = {}
        for start in range(0, len(keys), 5_000):
            part = json.dumps(keys[start : start + 5_000])
            rows = self.conn.execute(EXISTING_SERIES_SQL, (part, team))
            for sid, metric, dims in rows:
                found[(metric, dims)] = sid
        return found

    def create_series(self, team: str, keys: Sequence[tuple[str, tuple[tuple[str, str], ...]]]) -> None:
        """Create the (metric, sorted dims) series that do not exist yet, in the order given (their
        ids follow it), inside the caller's transaction: an import's first transaction, where one
        statement a table costs a millisecond for thousands of series, and one query each tens."""
        self.conn.executemany(
            "INSERT OR IGNORE INTO series (team, metric, dims) VALUES (?, ?, ?)",
            [(team, metric, dims_key(dict(dims))) for metric, dims in keys],
        )
        self.conn.executemany(
            "INSERT OR IGNORE INTO dimension_values (team, dim, value) VALUES (?, ?, ?)",
            sorted({(team, d, v) for _, dims in keys for d, v in dims}),
        )
        self.conn.executemany(
            "INSERT OR IGNORE INTO metric_dimensions (team, metric, dim) VALUES (?, ?, ?)",
            sorted({(team, metric, d) for metric, dims in keys for d, _ in dims}),
        )

    def series_id(self, team: str, metric: str, dims: dict[str, str]) -> int:
        """The id of a series, created on first use (inside the caller's transaction)."""
        sql = "SELECT id FROM series WHERE team = ? AND metric = ? AND dims = ?"
        params = (team, metric, dims_key(dims))
        row = self.conn.execute(sql, params).fetchone()
        if row is None:
            self.create_series(team, [(metric, tuple(sorted(dims.items())))])
            row = self.conn.execute(sql, params).fetchone()
        return row[0]

    def latest_dates(self, team: str) -> dict[int, str]:
        """Each of the team's series' newest date: a later row cannot replace a stored one."""
        return dict(
            self.conn.execute(
                "SELECT m.series_id, max(m.last_date) FROM monthly m JOIN series s ON s.id = m.series_id "
                "WHERE s.team = ? GROUP BY m.series_id",
                (team,),
            )
        )

    def old_values(self, keys: Sequence[tuple[int, str]]) -> dict[tuple[int, str], float]:
        """Stored values for (series id, date) keys, for the writer to turn replacements into deltas.

        The keys drive the loop (CROSS JOIN fixes the order in SQLite) and each is one primary-key
        search: a row-value ``IN (VALUES ...)`` is planned as a scan of the table by some versions.
        """
        found: dict[tuple[int, str], float] = {}
        for start in range(0, len(keys), 5_000):
            part = json.dumps(keys[start : start + 5_000])
            for sid, day, value in self.conn.execute(OLD_VALUES_SQL, (part,)):
                found[(sid, day)] = value
        return found

    def cube_key_ids(self, team: str, cells: Iterable[Cell]) -> dict[Cell, int]:
        """The ids of the (metric, dim, value) cube keys of a team, creating the missing ones in key
        order, inside the caller's transaction: an import's new keys then come after every stored
        one, and its cells are appended to the end of the cube tables."""
        wanted = sorted(set(cells))
        known = self._cube_keys(team, wanted)
        missing = [cell for cell in wanted if cell not in known]
        if missing:
            self.conn.executemany(
                "INSERT OR IGNORE INTO cube_keys (team, metric, dim, value) VALUES (?, ?, ?, ?)",
                [(team, *cell) for cell in missing],
            )
            known.update(self._cube_keys(team, missing))
        return known

    def _cube_keys(self, team: str, cells: Sequence[Cell]) -> dict[Cell, int]:
        """The ids of those cells' keys that exist: one index search each, however many the team has."""
        found: dict[Cell, int] = {}
        for start in range(0, len(cells), 5_000):
            part = json.dumps(cells[start : start + 5_000])
            for metric, dim, value, key in self.conn.execute(CUBE_KEYS_SQL, (part, team)):
                found[(metric, dim, value)] = key
        return found

    def add_to_cube(self, deltas: Iterable[CubeChange]) -> None:
        """Add (cube key id, date, amount, count) changes to the daily cube."""
        self.conn.executemany(
            "INSERT INTO cube_daily (key_id, date, total, n) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (key_id, date) DO UPDATE SET total = total + excluded.total, n = n + excluded.n",
            deltas,
        )

    def refresh_cube_monthly(self, team: str, affected: Iterable[tuple[str, str]]) -> None:
        """Recompute the monthly cube for (metric, YYYY-MM) pairs from the daily cube."""
        self.conn.executemany(
            "INSERT OR REPLACE INTO cube_monthly (key_id, month, total, n) "
            "SELECT d.key_id, ?3, sum(d.total), sum(d.n) FROM cube_keys k CROSS JOIN cube_daily d "
            "ON d.key_id = k.id AND d.date BETWEEN ?3 || '-01' AND ?3 || '-31' "
            "WHERE k.team = ?1 AND k.metric = ?2 GROUP BY d.key_id",
            [(team, metric, month) for metric, month in sorted(affected)],
        )

    def upsert_observations(self, rows: Sequence[tuple[int, str, float]]) -> None:
        """Write (series id, ISO date, value) rows; a row for an existing key replaces its value."""
        self.conn.executemany(
            "INSERT INTO observations (series_id, date, value) VALUES (?, ?, ?) "
            "ON CONFLICT (series_id, date) DO UPDATE SET value = excluded.value",
            rows,
        )

    def add_to_observations(self, rows: Sequence[tuple[int, str, float]]) -> None:
        """Add (series id, ISO date, value) rows to the values already stored for those keys."""
        self.conn.executemany(
            "INSERT INTO observations (series_id, date, value) VALUES (?, ?, ?) "
            "ON CONFLICT (series_id, date) DO UPDATE SET value = value + excluded.value",
            rows,
        )

    def refresh_monthly(self, affected: Iterable[tuple[int, str]]) -> None:
        """Recompute the monthly rollup for the (series id, YYYY-MM) pairs a write touched.

        One indexed range scan per pair: far cheaper than one GROUP BY over the touched rows. Pairs
        without rows are skipped (observations are never deleted, so no stale rollup remains).
        """
        self.conn.executemany(
            "INSERT OR REPLACE INTO monthly (series_id, month, total, n, last_date, last_value) "
            "SELECT ?1, ?2, sum(value), count(*), max(date), value FROM observations "
            "WHERE series_id = ?1 AND date BETWEEN ?2 || '-01' AND ?2 || '-31' HAVING count(*) > 0",
            sorted(affected),
        )

    def aggregate(
        self, series_ids: Sequence[int], ranges: Sequence[tuple[date, date]]
    ) -> dict[tuple[int, int], Agg]:
        """Sum, count and latest point of each series over each inclusive date range.

        Whole calendar months come from the monthly rollup and the days at either end from the daily
        rows, so a quarter costs three rollup rows per series instead of ninety. SQLite groups by
        (series, range); with ``max(date)`` the bare ``value`` column is the value on that date.
        """
        result: dict[tuple[int, int], Agg] = {}
        if not series_ids or not ranges:
            return result
        ids = json.dumps(sorted(set(series_ids)))
        month_parts: list[tuple[int, str, str]] = []
        day_parts: list[tuple[int, str, str]] = []
        for index, (start, end) in enumerate(ranges):
            months, partial = _split_by_month(start, end)
            if months:
                month_parts.append((index, months[0], months[-1]))
            day_parts.extend((index, s.isoformat(), e.isoformat()) for s, e in partial)
        queries = (
            (month_parts, "monthly", "month", "sum(t.total), sum(t.n), max(t.last_date), t.last_value"),
            (day_parts, "observations", "date", "sum(t.value), count(*), max(t.date), t.value"),
        )
        for parts, table, column, aggregates in queries:
            if not parts:
                continue
            values = ", ".join(["(?, ?, ?)"] * len(parts))
            sql = (
                f"WITH r(idx, lo, hi) AS (VALUES {values}) "
                f"SELECT t.series_id, r.idx, {aggregates} FROM {table} t "
                f"JOIN r ON t.{column} BETWEEN r.lo AND r.hi "
                "WHERE t.series_id IN (SELECT value FROM json_each(?)) GROUP BY t.series_id, r.idx"
            )
            params = [p for part in parts for p in part] + [ids]
            for sid, index, total, n, last_date, last_value in self.conn.execute(sql, params):
                agg = result.get((sid, index))
                if agg is None:
                    result[(sid, index)] = Agg(total, n, last_date, last_value)
                else:
                    agg.add(total, n, last_date, last_value)
        return result

    def cube(
        self, team: str, metrics: Sequence[str], dim: str | None, ranges: Sequence[tuple[date, date]]
    ) -> dict[tuple[int, str, str, str], list[float]]:
        """Sums and counts per (range index, metric, dim, value) from the cube: the whole team
        (dim '') and, when ``dim`` is given, each value of that dimension."""
        month_wanted: dict[str, list[int]] = {}
        day_wanted: dict[str, list[int]] = {}
        for index, (start, end) in enumerate(ranges):
            months, partial = _split_by_month(start, end)
            for month in months:
                month_wanted.setdefault(month, []).append(index)
            for lo, hi in partial:
                for offset in range((hi - lo).days + 1):
                    day_wanted.setdefault(date.fromordinal(lo.toordinal() + offset).isoformat(), []).append(
                        index
                    )
        result: dict[tuple[int, str, str, str], list[float]] = {}
        names = json.dumps(sorted(set(metrics)))
        for wanted, table, column in (
            (month_wanted, "cube_monthly", "month"),
            (day_wanted, "cube_daily", "date"),
        ):
            if not wanted:
                continue
            rows = self.conn.execute(
                f"SELECT c.{column}, k.metric, k.dim, k.value, c.total, c.n FROM cube_keys k "
                f"CROSS JOIN {table} c ON c.key_id = k.id AND c.{column} IN (SELECT value FROM json_each(?3)) "
                "WHERE k.team = ?1 AND k.metric IN (SELECT value FROM json_each(?2)) AND k.dim IN ('', ?4)",
                (team, names, json.dumps(sorted(wanted)), dim or ""),
            )
            for when, metric, d, value, total, n in rows:
                for index in wanted[when]:
                    slot = result.get((index, metric, d, value))
                    if slot is None:
                        result[(index, metric, d, value)] = [total, n]
                    else:
                        slot[0] += total
                        slot[1] += n
        return result

    def cube_latest(
        self, team: str, metrics: Sequence[str], ranges: Sequence[tuple[date, date]]
    ) -> dict[tuple[int, str], tuple[float, int]]:
        """The team total and number of data points on the latest date with data, per (range index,
        metric): what ``last`` is when every series has a point on that date. Each is one short
        backward index scan from the range's end."""
        if not metrics or not ranges:
            return {}
        latest = (
            "(SELECT c.{} FROM cube_keys k CROSS JOIN cube_daily c ON c.key_id = k.id "
            "WHERE k.team = ?1 AND k.metric = m.value AND k.dim = '' AND k.value = '' "
            "AND c.date BETWEEN r.lo AND r.hi AND c.n > 0 ORDER BY c.date DESC LIMIT 1)"
        )
        values = ", ".join(f"(?{3 + 3 * i}, ?{4 + 3 * i}, ?{5 + 3 * i})" for i in range(len(ranges)))
        sql = (
            f"WITH r(idx, lo, hi) AS (VALUES {values}) "
            f"SELECT r.idx, m.value, {latest.format('total')}, {latest.format('n')} FROM r, json_each(?2) m"
        )
        params: list[object] = [team, json.dumps(sorted(set(metrics)))]
        params += [p for i, (lo, hi) in enumerate(ranges) for p in (i, lo.isoformat(), hi.isoformat())]
        rows = self.conn.execute(sql, params)
        return {(index, metric): (total, n) for index, metric, total, n in rows if n is not None}

    def series_counts(self, team: str, metrics: Sequence[str]) -> dict[str, int]:
        rows = self.conn.execute(
            "SELECT metric, count(*) FROM series WHERE team = ? AND metric IN (SELECT value FROM json_each(?)) "
            "GROUP BY metric",
            (team, json.dumps(sorted(set(metrics)))),
        )
        return dict(rows.fetchall())

    def metric_dimensions(self, team: str, metrics: Sequence[str]) -> set[str]:
        """The dimensions any series of these metrics has (which "By ..." buttons make sense)."""
        rows = self.conn.execute(
            "SELECT DISTINCT dim FROM metric_dimensions WHERE team = ? AND metric IN (SELECT value FROM json_each(?))",
            (team, json.dumps(sorted(set(metrics)))),
        )
        return {r[0] for r in rows}

    def latest_date(self, team: str) -> str | None:
        """The newest date with data for the team: the data freshness shown under every answer."""
        row = self.conn.execute("SELECT latest FROM freshness WHERE team = ?", (team,)).fetchone()
        return row[0] if row else None

    def mark_fresh(self, team: str, latest: str) -> None:
        """Record that the team has data up to ``latest`` (called by every write of observations)."""
        self.conn.execute(
            "INSERT INTO freshness (team, latest, version) VALUES (?, ?, 1) "
            "ON CONFLICT (team) DO UPDATE SET latest = max(latest, excluded.latest), version = version + 1",
            (team, latest),
        )

    def fingerprint(self, team: str) -> str:
        """Everything a team's answers depend on besides the question: data version, settings, goals and
        KPI definitions. Equal fingerprints give equal answers."""
        row = self.conn.execute("SELECT version FROM freshness WHERE team = ?", (team,)).fetchone()
        return repr((row[0] if row else 0, self.settings(team), self.goals(team), self.definitions(team)))

    def dimensions(self, team: str) -> dict[str, list[str]]:
        """Every dimension the team's data has, with its values."""
        out: dict[str, list[str]] = {}
        for dim, value in self.conn.execute(
            "SELECT dim, value FROM dimension_values WHERE team = ? ORDER BY dim, value", (team,)
        ):
            out.setdefault(dim, []).append(value)
        return out

    def metrics(self, team: str) -> list[str]:
        return [
            r[0]
            for r in self.conn.execute(
                "SELECT DISTINCT metric FROM series WHERE team = ? ORDER BY metric", (team,)
            )
        ]


def _split_by_month(start: date, end: date) -> tuple[list[str], list[tuple[date, date]]]:
    """Whole months inside [start, end] as YYYY-MM, and the leftover day ranges at either end."""
    if start > end:
        return [], []
    first = start if start.day == 1 else _next_month(start)
    last_exclusive = _next_month(end) if _next_month(end) == _add_day(end) else end.replace(day=1)
    if first >= last_exclusive:
        return [], [(start, end)]
    months = []
    cursor = first
    while cursor < last_exclusive:
        months.append(cursor.strftime("%Y-%m"))
        cursor = _next_month(cursor)
    partial = []
    if start < first:
        partial.append((start, date.fromordinal(first.toordinal() - 1)))
    if last_exclusive <= end:
        partial.append((last_exclusive, end))
    return months, partial


def _next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def _add_day(day: date) -> date:
    return date.fromordinal(day.toordinal() + 1)

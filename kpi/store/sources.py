"""Connected sources: their config, sealed secret, sync state and outcome, one row each."""

from __future__ import annotations

import json
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Source:
    id: int
    team: str
    kind: str
    label: str
    config: dict[str, str]
    secret: bytes
    state: dict[str, str] = field(default_factory=dict)
    status: str = "connected"
    last_sync_at: str | None = None
    last_error: str | None = None
    latest_day: str | None = None
    skipped: list[str] = field(default_factory=list)
    connected_by: str | None = None


_COLUMNS = "id, team, kind, label, config, secret, state, status, last_sync_at, last_error, latest_day, skipped, connected_by"


def _source(row: tuple) -> Source:
    sid, team, kind, label, config, secret, state, status, synced, error, latest, skipped, by = row
    return Source(sid, team, kind, label, json.loads(config), secret, json.loads(state), status, synced, error, latest,
                  json.loads(skipped), by)  # fmt: skip


class SourceRecords:
    def add_source(
        self,
        team: str,
        kind: str,
        label: str,
        config: dict[str, str],
        secret: bytes,
        by: str | None,
        *,
        now: str,
    ) -> int:
        with self.atomic():
            cur = self.conn.execute(
                "INSERT INTO sources (team, kind, label, config, secret, connected_by, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (team, kind, label, json.dumps(config), secret, by, now),
            )
        return int(cur.lastrowid or 0)

    def sources(self, team: str | None = None) -> list[Source]:
        """A team's sources; every team's (for the daily sync) when ``team`` is None."""
        if team is None:
            rows = self.conn.execute(f"SELECT {_COLUMNS} FROM sources ORDER BY id")
        else:
            rows = self.conn.execute(f"SELECT {_COLUMNS} FROM sources WHERE team = ? ORDER BY id", (team,))
        return [_source(r) for r in rows]

    def source(self, team: str, source_id: int) -> Source | None:
        row = self.conn.execute(
            f"SELECT {_COLUMNS} FROM sources WHERE team = ? AND id = ?", (team, source_id)
        ).fetchone()
        return _source(row) if row else None

    def claim_source(self, team: str, source_id: int, *, now: str, until: str) -> bool:
        """Take the source for one sync; False while another process's claim still holds."""
        with self.atomic():
            cur = self.conn.execute(
                "UPDATE sources SET claimed_until = ? WHERE team = ? AND id = ? "
                "AND (claimed_until IS NULL OR claimed_until < ?)",
                (until, team, source_id, now),
            )
        return cur.rowcount == 1

    def finish_sync(
        self,
        team: str,
        source_id: int,
        *,
        now: str,
        status: str,
        state: dict[str, str],
        error: str | None,
        latest_day: str | None,
        skipped: list[str],
    ) -> None:
        with self.atomic():
            self.conn.execute(
                "UPDATE sources SET status = ?, state = ?, last_sync_at = ?, last_error = ?, "
                "latest_day = coalesce(?, latest_day), skipped = ?, claimed_until = NULL WHERE team = ? AND id = ?",
                (status, json.dumps(state), now, error, latest_day, json.dumps(skipped), team, source_id),
            )

    def remove_source(self, team: str, source_id: int) -> bool:
        with self.atomic():
            cur = self.conn.execute("DELETE FROM sources WHERE team = ? AND id = ?", (team, source_id))
        return cur.rowcount > 0

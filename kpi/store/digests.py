"""Digest subscriptions and the delivery ledger that makes each digest go out exactly once."""

from __future__ import annotations

import json
from dataclasses import dataclass

from . import ledger


@dataclass(frozen=True)
class Subscription:
    id: int
    channel: str
    cadence: str
    kpis: list[str]
    day: str
    time: str
    tz: str
    created_by: str | None = None


@dataclass(frozen=True)
class Delivery:
    channel: str
    cadence: str
    period: str
    status: str
    attempts: int
    error: str | None
    ts: str | None
    updated_at: str


class DigestRecords:
    """The store's part for subscriptions and the digest ledger."""

    def subscriptions(
        self, team: str | None = None, channel: str | None = None
    ) -> list[tuple[str, Subscription]]:
        """(team, subscription) pairs; ``team=None`` is for the scheduler, which serves every team."""
        sql = "SELECT team, id, channel, cadence, kpis, day, time, tz, created_by FROM subscriptions"
        clauses, params = [], []
        if team is not None:
            clauses.append("team = ?")
            params.append(team)
        if channel is not None:
            clauses.append("channel = ?")
            params.append(channel)
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        sql += " ORDER BY team, channel, cadence"
        return [
            (r[0], Subscription(r[1], r[2], r[3], json.loads(r[4]), r[5], r[6], r[7], r[8]))
            for r in self.conn.execute(sql, params)
        ]

    def subscribe(
        self,
        team: str,
        channel: str,
        cadence: str,
        kpis: list[str],
        day: str,
        time: str,
        tz: str,
        created_by: str | None,
        *,
        now: str,
    ) -> tuple[Subscription, bool]:
        """Create or replace the channel's subscription; ``now`` (the caller's clock, ISO) is kept."""
        with self.atomic():
            existed = self.conn.execute(
                "SELECT 1 FROM subscriptions WHERE team = ? AND channel = ? AND cadence = ?",
                (team, channel, cadence),
            ).fetchone()
            self.conn.execute(
                "INSERT INTO subscriptions (team, channel, cadence, kpis, day, time, tz, created_by, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (team, channel, cadence) DO UPDATE SET "
                "kpis = excluded.kpis, day = excluded.day, time = excluded.time, tz = excluded.tz, "
                "created_by = excluded.created_by, created_at = excluded.created_at",
                (team, channel, cadence, json.dumps(kpis), day, time, tz, created_by, now),
            )
        sub = next(s for _, s in self.subscriptions(team, channel) if s.cadence == cadence)
        return sub, existed is not None

    # -- the digest ledger ----------------------------------------------------------------------

    def claim_delivery(
        self, team: str, channel: str, cadence: str, period: str, now: str, max_attempts: int = 5
    ) -> str | None:
        """Write the ledger row before posting: what it was ('new', 'failed', 'unconfirmed') when this
        caller may post, None when it may not.

        A new (team, channel, cadence, period) is claimed; a failed or unconfirmed one is claimed
        again while it has attempts left (an unconfirmed one may have been posted: the caller looks
        for it in the channel first); one being sent or already sent is never claimed twice. ``now``
        is the caller's clock, as ISO text.
        """
        key = {"team": team, "channel": channel, "cadence": cadence, "period": period}
        return ledger.claim(self, "deliveries", key, {}, now, max_attempts)

    def finish_delivery(
        self,
        team: str,
        channel: str,
        cadence: str,
        period: str,
        *,
        status: str,
        now: str,
        error: str | None = None,
        ts: str | None = None,
    ) -> None:
        """Record how a claimed delivery ended: 'sent', 'failed' (Slack said no: not posted) or
        'unconfirmed' (no answer: it may have been posted)."""
        key = {"team": team, "channel": channel, "cadence": cadence, "period": period}
        ledger.finish(self, "deliveries", key, status=status, now=now, error=error, ts=ts)

    def deliveries(self, team: str, channel: str | None = None, status: str | None = None) -> list[Delivery]:
        """The team's ledger rows, newest first."""
        sql = "SELECT channel, cadence, period, status, attempts, error, ts, updated_at FROM deliveries WHERE team = ?"
        params: list[object] = [team]
        if channel is not None:
            sql += " AND channel = ?"
            params.append(channel)
        if status is not None:
            sql += " AND status = ?"
            params.append(status)
        return [Delivery(*r) for r in self.conn.execute(sql + " ORDER BY updated_at DESC, id DESC", params)]

    def interrupt_stale_deliveries(self, older_than: str) -> int:
        """Rows left 'sending' by a process that stopped mid-post: unconfirmed, so the next attempt
        looks for the message in the channel before posting it again."""
        return ledger.interrupt_stale(self, "deliveries", older_than)

    def unsubscribe(self, team: str, channel: str, cadence: str) -> bool:
        with self.atomic():
            cur = self.conn.execute(
                "DELETE FROM subscriptions WHERE team = ? AND channel = ? AND cadence = ?",
                (team, channel, cadence),
            )
        return cur.rowcount > 0

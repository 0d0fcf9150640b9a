"""Slack event ids already handled: Slack redelivers events it thinks were missed."""

from __future__ import annotations


class EventLedger:
    def first_sighting(self, team: str, event_id: str, *, now: str) -> bool:
        """True the first time an event id is seen for the team, False for Slack's redeliveries.
        ``now``: the caller's clock, as ISO text (kept as when it was seen)."""
        with self.atomic():
            cur = self.conn.execute(
                "INSERT OR IGNORE INTO events_seen (team, event_id, seen_at) VALUES (?, ?, ?)",
                (team, event_id, now),
            )
        return cur.rowcount == 1

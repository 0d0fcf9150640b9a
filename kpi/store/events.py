"""Slack event ids already handled: Slack redelivers events it thinks were missed."""

from __future__ import annotations

from .connection import _now


class EventLedger:
    def first_sighting(self, team: str, event_id: str) -> bool:
        """True the first time an event id is seen for the team, False for Slack's redeliveries."""
        with self.atomic():
            cur = self.conn.execute(
                "INSERT OR IGNORE INTO events_seen (team, event_id, seen_at) VALUES (?, ?, ?)",
                (team, event_id, _now()),
            )
        return cur.rowcount == 1

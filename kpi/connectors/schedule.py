"""When a connected source is due: once a day at the sync time in the team's time zone, and every
hour after a failed or rate-limited run, until it succeeds. A source that needs reconnecting waits
for its admin."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from ..periods import zone
from ..store import Source

RETRY_AFTER = timedelta(hours=1)


def due(source: Source, now: datetime, tz: str, sync_at: time) -> bool:
    if source.status == "needs_reconnecting":
        return False
    local = now.astimezone(zone(tz))
    today_at = datetime.combine(local.date(), sync_at, tzinfo=zone(tz))
    last = datetime.fromisoformat(source.last_sync_at) if source.last_sync_at else None
    if source.status in ("failed", "rate_limited"):
        return last is None or now - last >= RETRY_AFTER
    if local < today_at:
        return False
    return last is None or last < today_at

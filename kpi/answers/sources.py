"""`/kpi sources`: the team's connected sources, in words a marketer reads (never a secret)."""

from __future__ import annotations

from .. import commands as c
from ..connectors.sync import STATUS_WORDS
from ..engine import Engine
from ..reply import Reply
from .context import Context

TONES = {"ok": "🟢", "connected": "⚪", "rate_limited": "🟡", "failed": "🔴", "needs_reconnecting": "🔴"}


def list_sources(command: c.ListSources, engine: Engine, ctx: Context) -> Reply:
    sources = ctx.store.sources(ctx.team)
    if not sources:
        return Reply(
            "Connected sources",
            ["No source is connected yet."],
            notes=[
                "An admin connects one with `kpibot connect ga4 ...` or `kpibot connect facebook ...` (see the README)."
            ],
            kind="sources",
        )
    lines = []
    for source in sources:
        head = f"{TONES.get(source.status, '⚪')} {source.label}: {STATUS_WORDS.get(source.status, source.status)}"
        details = []
        if source.last_sync_at:
            details.append(f"last sync {source.last_sync_at[:16].replace('T', ' ')}")
        details.append(f"data up to {source.latest_day}" if source.latest_day else "no data yet")
        lines.append(head + " · " + ", ".join(details))
        if source.last_error:
            lines.append(f"    {source.last_error}")
        for skipped in source.skipped:
            lines.append(f"    skipped: {skipped}")
    return Reply("Connected sources", lines, kind="sources")

"""`/kpi sources`: the team's connected sources, in words a marketer reads (never a secret)."""

from __future__ import annotations

from .. import commands as c
from ..connectors.sync import status_words
from ..engine import Engine
from ..i18n import _
from ..reply import Reply
from .context import Context

TONES = {"ok": "🟢", "connected": "⚪", "rate_limited": "🟡", "failed": "🔴", "needs_reconnecting": "🔴"}


def list_sources(command: c.ListSources, engine: Engine, ctx: Context) -> Reply:
    sources = ctx.store.sources(ctx.team)
    if not sources:
        return Reply(
            _("Connected sources"),
            [_("No source is connected yet.")],
            notes=[
                _(
                    "An admin connects one with `kpibot connect ga4 ...` or `kpibot connect facebook ...` (see the README)."
                )
            ],
            kind="sources",
        )
    lines = []
    for source in sources:
        head = f"{TONES.get(source.status, '⚪')} {source.label}: {status_words(source.status)}"
        details = []
        if source.last_sync_at:
            details.append(_("last sync {when}").format(when=source.last_sync_at[:16].replace("T", " ")))
        if source.latest_day:
            details.append(_("data up to {day}").format(day=source.latest_day))
        else:
            details.append(_("no data yet"))
        lines.append(head + " · " + ", ".join(details))
        if source.last_error:
            lines.append(f"    {source.last_error}")
        for skipped in source.skipped:
            lines.append("    " + _("skipped: {what}").format(what=skipped))
    return Reply(_("Connected sources"), lines, kind="sources")

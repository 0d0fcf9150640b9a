"""The daily sync in `kpibot serve`: every source when it is due (kpi.connectors.schedule), one at a
time; a source whose token expired tells whoever connected it, in a DM, once."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from kpi import KpiError, Store, Urls, Vault, source_due, sync

from .config import Settings

log = logging.getLogger("kpibot.sources")


def run_due(
    settings: Settings, client: WebClient | None, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
) -> list[str]:
    """Sync every due source; returns one line per source synced (for the log and the tests)."""
    if not settings.secret_key:
        return []
    now = clock()
    vault = Vault(settings.secret_key)
    urls = Urls(
        settings.ga4_api_url, settings.graph_api_url, settings.linkedin_api_url, settings.pinterest_api_url
    )
    done = []
    with Store(settings.db, default_tz=settings.tz) as store:
        for source in store.sources():
            tz = store.settings(source.team).tz
            if not source_due(source, now, tz, settings.sync_at):
                continue
            try:
                outcome = sync(store, source, vault, urls, now=now)
            except KpiError as exc:  # an unreadable secret: say so on the source, go on with the others
                log.warning("source %s of %s: %s", source.id, source.team, exc)
                continue
            done.append(f"{source.team} {source.id} {outcome.status}: {outcome.message}")
            log.info("synced source %s of %s: %s", source.id, source.team, outcome.status)
            if outcome.status == "needs_reconnecting" and source.status != "needs_reconnecting":
                _tell(client, source.connected_by, source.label, outcome.message)
    return done


def _tell(client: WebClient | None, user: str | None, label: str, message: str) -> None:
    if client is None or not user:
        log.warning("source %s needs reconnecting and nobody to tell in Slack: %s", label, message)
        return
    try:
        client.chat_postMessage(
            channel=user,
            text=f"The source *{label}* stopped syncing: {message} An admin reconnects it with `kpibot connect`.",
        )
    except SlackApiError as exc:
        log.warning(
            "could not tell %s that %s needs reconnecting: %s", user, label, exc.response.get("error")
        )

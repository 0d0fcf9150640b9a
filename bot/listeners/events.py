"""Events: App Home opened, and CSV files shared with the bot in a direct message."""

from __future__ import annotations

import logging
import tempfile
import urllib.request
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from kpi.errors import ImportFailed, NotAllowed
from kpi.importer import import_csv

from ..app import Deps, user_message
from ..blocks import escape
from .home import publish_home

log = logging.getLogger("kpibot.slack")
MAX_FILE_BYTES = 500 * 1024 * 1024


def register(app: App, deps: Deps) -> None:
    @app.event("app_home_opened")
    def home_opened(event: dict[str, Any], context: Any, client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        with deps.store() as store:
            publish_home(client, deps, store, context.team_id, event["user"])

    def ack_now(ack: Ack) -> None:
        ack()

    def import_shared_files(event: dict[str, Any], context: Any, client: WebClient) -> None:
        """A CSV shared in a DM: the same import as `kpibot import`, summary replied in the DM."""
        if event.get("channel_type") != "im" or event.get("subtype") != "file_share" or event.get("bot_id"):
            return
        channel, user, team = event["channel"], event.get("user"), context.team_id
        csvs = [
            f
            for f in event.get("files", [])
            if f.get("name", "").lower().endswith(".csv") or f.get("filetype") == "csv"
        ]
        if not csvs:
            client.chat_postMessage(
                channel=channel,
                text="Share a .csv file with me to import it (long or wide layout; see the README).",
            )
            return
        if deps.settings.admins and user not in deps.settings.admins:
            text = user_message(NotAllowed("Only this workspace's kpibot admins can import data."))[0]
            client.chat_postMessage(channel=channel, text=escape(text))
            return
        for file in csvs:
            client.chat_postMessage(channel=channel, text=escape(_import_one(deps, client, team, file)))

    app.event("message")(ack=ack_now, lazy=[import_shared_files])


def _import_one(deps: Deps, client: WebClient, team: str, file: dict[str, Any]) -> str:
    name = file.get("name", "file.csv")
    if (file.get("size") or 0) > MAX_FILE_BYTES:
        return (
            f"`{name}` is larger than {MAX_FILE_BYTES // 2**20} MB; import it with `kpibot import` instead."
        )
    request = urllib.request.Request(
        file["url_private_download"], headers={"Authorization": f"Bearer {client.token}"}
    )
    with tempfile.TemporaryFile() as buffer:
        try:
            with urllib.request.urlopen(request, timeout=60) as download:  # noqa: S310 - a Slack file URL
                while chunk := download.read(1 << 20):
                    buffer.write(chunk)
        except OSError as exc:
            log.warning("download of %s failed: %s", name, exc)
            return f"I couldn't download `{name}` from Slack. Share it again in a moment."
        buffer.seek(0)
        with deps.store() as store:
            try:
                summary = import_csv(store, team, name, stream=buffer, tz=store.settings(team).tz)
            except ImportFailed as exc:
                listing = "\n".join(exc.problems[:20])
                more = f"\n… and {len(exc.problems) - 20} more" if len(exc.problems) > 20 else ""
                return f"{exc}\n```{listing}{more}```" if listing else str(exc)
    return f"`{name}`: {summary.counts()}."

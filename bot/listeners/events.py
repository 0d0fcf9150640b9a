"""Events: App Home opened, and files (CSV or Excel exports) shared with the bot in a direct message."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from kpi import ImportFailed, KpiError, NotAllowed, import_file, parse_tag, speaking

from ..deps import Deps, user_message
from ..downloads import download, file_info
from ..text import escape
from .home import publish_home

MAX_FILES = 5
FILE_TYPES = {"csv", "tsv", "xls", "xlsx", "text"}
SUFFIXES = (".csv", ".tsv", ".txt", ".xls", ".xlsx")
_TAG_WORD = re.compile(r"^[a-z][a-z0-9_]*:\S+$")


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
        """A file shared in a DM: the same import as `kpibot import`, summary replied in the DM.
        Words like `region:fr` in the message are tags, as `--tag region=fr` on the command line.

        Only the file ids of the event are used: name, size and URL come from ``files.info``."""
        if event.get("channel_type") != "im" or event.get("subtype") != "file_share" or event.get("bot_id"):
            return
        channel, user, team = event["channel"], event.get("user"), context.team_id
        ids = [
            f["id"] for f in event.get("files") or [] if isinstance(f, dict) and isinstance(f.get("id"), str)
        ]
        if deps.settings.admins and user not in deps.settings.admins:
            text = user_message(NotAllowed("Only this workspace's kpibot admins can import data."))[0]
            client.chat_postMessage(channel=channel, text=escape(text))
            return
        words = str(event.get("text") or "").split()
        for file_id in ids[:MAX_FILES]:
            try:
                tags = dict(parse_tag(w) for w in words if _TAG_WORD.match(w.lower()))
                text = _import_one(deps, client, team, file_id, tags)
            except KpiError as exc:
                text = str(exc)
            client.chat_postMessage(channel=channel, text=escape(text))

    app.event("message")(ack=ack_now, lazy=[import_shared_files])


def _import_one(deps: Deps, client: WebClient, team: str, file_id: str, tags: dict[str, str]) -> str:
    info = file_info(client, file_id)
    name = info.get("name") or "file"
    if not (name.lower().endswith(SUFFIXES) or info.get("filetype") in FILE_TYPES):
        return (
            f"`{name}` is not a file I can import. Share a platform export (.csv, .xls or .xlsx from Meta, "
            "LinkedIn, X, GA4, Google Ads or Ads Manager) or a CSV in kpibot's own layout; see the README."
        )
    with download(info, client.token or "", deps.settings.api_url) as buffer, deps.store() as store:
        try:
            with speaking(deps.language(store, team)):
                summary = import_file(store, team, name, stream=buffer, tz=store.settings(team).tz, tags=tags)
        except ImportFailed as exc:
            listing = "\n".join(exc.problems[:20])
            more = f"\n… and {len(exc.problems) - 20} more" if len(exc.problems) > 20 else ""
            return f"{exc}\n```{listing}{more}```" if listing else str(exc)
    if summary.inserted or summary.replaced:
        deps.wrote(team)
    with deps.store() as store, speaking(deps.language(store, team)):
        details = "\n".join(summary.details()[:40])
        counts = summary.counts()
    return f"`{name}`: {counts}." + (f"\n```{details}```" if details else "")

"""The goal form's submission: the same `/kpi goal` command, with errors shown next to their field."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from kpi import InvalidCommand, InvalidFilter, InvalidPeriod, InvalidTarget, KpiError, _, answer, speaking

from ..blocks import GOAL_CALLBACK, message
from ..deps import Deps, user_message
from .home import publish_home


def _value(values: dict[str, Any], block: str) -> str | None:
    element = values.get(block, {}).get("value", {})
    if element.get("type") == "static_select":
        return (element.get("selected_option") or {}).get("value")
    if element.get("type") == "datepicker":
        return element.get("selected_date")
    return element.get("value")


def goal_command(values: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """The `/kpi goal` text for the form's values, or errors keyed by the block to show them on."""
    kpi, target, cadence = (
        _value(values, "kpi"),
        (_value(values, "target") or "").strip(),
        _value(values, "cadence"),
    )
    deadline = _value(values, "deadline")
    errors = {}
    if not target:
        errors["target"] = _("Enter a target, such as 4.5% or 12,000.")
    if cadence == "date" and not deadline:
        errors["deadline"] = _("Pick the date the goal should be reached by.")
    if errors:
        return "", errors
    when = f"by {deadline}" if cadence == "date" else f"per {cadence}"
    filters = " ".join(f"{dim}:{v}" for dim in ("network", "region") if (v := _value(values, dim)))
    return f'goal {kpi} "{target}" {when} {filters}'.strip(), {}


FIELD_OF_ERROR = {
    InvalidTarget: "target",
    InvalidFilter: "network",
    InvalidPeriod: "cadence",
    InvalidCommand: "target",
}


def register(app: App, deps: Deps) -> None:
    @app.view(GOAL_CALLBACK)
    def save_goal(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        values = view["state"]["values"]
        metadata = json.loads(view.get("private_metadata") or "{}")
        team = (body.get("team") or {}).get("id") or body["user"].get("team_id")
        user = body["user"]["id"]
        channel = metadata.get("channel")
        with deps.store() as store:
            with speaking(deps.language(store, team)):
                text, errors = goal_command(values)
            if not errors:
                try:
                    reply = answer(text, deps.context(store, team, user, channel))
                except KpiError as exc:
                    block = next((b for t, b in FIELD_OF_ERROR.items() if isinstance(exc, t)), "kpi")
                    if block == "network" and "network" not in values:
                        block = "region" if "region" in values else "kpi"
                    errors = {block: user_message(exc)[0][:2000]}
            if errors:
                ack(response_action="errors", errors=errors)
                return
            ack()
            if not channel:
                publish_home(client, deps, store, team, user)
                return
        payload = {k: v for k, v in message(reply).items() if k != "response_type"}
        try:
            client.chat_postMessage(channel=channel, **payload)
        except SlackApiError:
            client.chat_postMessage(channel=user, **payload)

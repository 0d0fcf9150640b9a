"""Buttons: run a command ("By network", "Previous period", an alert's "Breakdown"), open the goal
form, remove a goal, snooze or remove an alert."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from kpi import Engine, InvalidCommand, RemoveAlert, SnoozeAlert, _, answer, query_from_json, speaking

from ..blocks import goal_modal, message
from ..deps import Deps
from .home import publish_home


def _where(body: dict[str, Any]) -> tuple[str, str, str | None]:
    team = (body.get("team") or {}).get("id") or body["user"].get("team_id")
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    return team, body["user"]["id"], channel


def register(app: App, deps: Deps) -> None:
    @app.action(re.compile(r"^run:"))
    def run_command(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        team, user, channel = _where(body)
        with deps.store() as store:
            reply = answer(query_from_json(action["value"]), deps.context(store, team, user, channel))
        respond(**message(reply), replace_original=False)

    @app.action(re.compile(r"^goal_modal:"))
    def open_goal_form(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        team, user, channel = _where(body)
        with deps.store() as store, speaking(deps.language(store, team)):
            engine = Engine(store, team)
            view = goal_modal(
                engine.catalog.names(),
                engine.dimensions,
                action.get("value") or None,
                {"channel": channel, "team": team},
            )
        client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.action(re.compile(r"^remove_goal:"))
    def remove_goal(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        ack()
        team, user, channel = _where(body)
        from_home = (body.get("container") or {}).get("type") == "view"
        with deps.store() as store:
            reply = answer(f"goal remove {action['value']}", deps.context(store, team, user, channel))
            if from_home:
                publish_home(client, deps, store, team, user)
                return
        respond(**message(reply), replace_original=False)

    @app.action(re.compile(r"^alert_(snooze|remove):"))
    def alert_button(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        """Snooze 7 days / Remove on an alert message: the same commands as typed, so the admins
        check and the team scoping are theirs (another workspace's alert id is not found)."""
        ack()
        team, user, channel = _where(body)
        value = str(action.get("value") or "")
        if not value.isdigit() or len(value) > 12:
            raise InvalidCommand(_("That button no longer works; `/kpi alerts` lists the alerts."))
        snooze = action["action_id"].startswith("alert_snooze:")
        command = SnoozeAlert(int(value)) if snooze else RemoveAlert(int(value))
        with deps.store() as store:
            reply = answer(command, deps.context(store, team, user, channel))
        respond(**message(reply), replace_original=False)

"""Buttons: run a command ("By network", "Previous period"), open the goal form, remove a goal."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from kpi import Engine, answer, query_from_json

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
        with deps.store() as store:
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

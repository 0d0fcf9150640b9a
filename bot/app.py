"""The Bolt app factory: one function builds the app from settings; nothing Slack exists at import.

Answers are computed inside the acknowledgement (``process_before_response=True``): KPI answers take
milliseconds, so the HTTP response carries them and no background thread is needed. Work that may
take longer (a CSV shared in a DM) runs in a lazy listener after the acknowledgement.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient

from kpi import speaking

from .alerting import AlertService
from .blocks import error_message
from .config import Settings
from .delivery import web_client
from .deps import Deps, user_message
from .listeners import register_listeners

log = logging.getLogger("kpibot.slack")


def build_app(settings: Settings, deps: Deps | None = None) -> App:
    deps = deps or Deps(settings)
    bolt_log = logging.getLogger("kpibot.bolt")
    # Bolt also reads SLACK_BOT_TOKEN from the environment and warns that our client's token wins.
    bolt_log.disabled = True
    try:
        app = App(
            client=web_client(settings),
            signing_secret=settings.signing_secret or "",
            process_before_response=True,
            token_verification_enabled=False,
            request_verification_enabled=True,
            logger=bolt_log,
        )
    finally:
        bolt_log.disabled = False

    deps.alerts = deps.alerts or AlertService(settings, app.client, deps.clock)

    @app.middleware
    def act_once(body: dict[str, Any], context: Any, next: Callable[[], BoltResponse]) -> BoltResponse | None:
        """Slack redelivers events it thinks were missed; each event id acts once per team."""
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id:
            with deps.store() as store:
                team = context.team_id or body.get("team_id") or ""
                if not store.first_sighting(team, event_id, now=deps.clock().isoformat(timespec="seconds")):
                    log.info("event %s already handled; ignoring the redelivery", event_id)
                    return BoltResponse(status=200, body="")
        return next()

    @app.error
    def report(
        error: Exception, body: dict[str, Any], respond: Any, response: BoltResponse | None, client: WebClient
    ) -> None:
        """The one place errors that escape a listener become messages, even after ``ack()``:
        a slash command gets an ephemeral answer in the HTTP response (instead of Bolt's 500),
        anything else with a response_url gets one there, and a button in App Home (which has
        none) a direct message to the person who pressed it."""
        team = context_team(body)
        with speaking(deps.language_of(team)):
            text, _expected = user_message(error)
        user = (body.get("user") or {}).get("id") if isinstance(body.get("user"), dict) else None
        if body.get("command") and response is not None:
            response.status = 200
            response.body = json.dumps(error_message(text))
            response.headers["content-type"] = ["application/json;charset=utf-8"]
            return
        if response is not None and response.status >= 500:
            response.status, response.body = 200, ""  # acknowledged: the user hears of it below
        if body.get("response_url"):
            respond(**error_message(text), replace_original=False)
        elif body.get("type") == "block_actions" and user:
            payload = {k: v for k, v in error_message(text).items() if k != "response_type"}
            client.chat_postMessage(channel=user, **payload)
        else:
            log.warning("could not tell the user about: %s", text)

    register_listeners(app, deps)
    return app


def context_team(body: dict[str, Any]) -> str | None:
    """The team of a payload already verified by its signature (commands, events, interactions)."""
    team = body.get("team_id")
    if not team and isinstance(body.get("team"), dict):
        team = body["team"].get("id")
    if not team and isinstance(body.get("user"), dict):
        team = body["user"].get("team_id")
    return team if isinstance(team, str) else None

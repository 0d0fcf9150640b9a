"""Requests signed exactly as Slack signs them (v0 HMAC-SHA256 over `v0:{timestamp}:{body}`)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from urllib.parse import quote, urlencode

SIGNING_SECRET = "test-signing-secret-0123456789"


def sign(body: str, timestamp: int | str | None = None, secret: str = SIGNING_SECRET) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def command_body(
    text: str,
    *,
    team: str = "T1",
    user: str = "U1",
    channel: str = "C1",
    response_url: str = "http://127.0.0.1:9/webhook",
    trigger_id: str = "123.456.abc",
) -> str:
    return urlencode(
        {
            "token": "legacy",
            "team_id": team,
            "team_domain": "acme",
            "channel_id": channel,
            "channel_name": "marketing",
            "user_id": user,
            "user_name": "ana",
            "command": "/kpi",
            "text": text,
            "api_app_id": "A1",
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id,
        }
    )


def payload_body(payload: dict) -> str:
    return "payload=" + quote(json.dumps(payload))


def event_body(event: dict, *, team: str = "T1", event_id: str = "Ev1") -> str:
    return json.dumps(
        {
            "token": "legacy",
            "team_id": team,
            "api_app_id": "A1",
            "event": event,
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "authorizations": [
                {"team_id": team, "user_id": "UBOT", "is_bot": True, "is_enterprise_install": False}
            ],
        }
    )

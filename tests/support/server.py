"""The real Bolt app behind a real uvicorn server on 127.0.0.1 (port 0), for tests."""

from __future__ import annotations

import http.client
import json
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import uvicorn

from bot.app import build_app
from bot.config import Settings
from bot.deps import Deps
from bot.server import asgi_app, listening_socket, uvicorn_config

from .signing import SIGNING_SECRET, command_body, event_body, payload_body, sign
from .slack_api import check_blocks


@dataclass
class Response:
    status: int
    body: str
    headers: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.body)


class AppServer:
    def __init__(self, settings: Settings, clock: Any = None, header_seconds: float = 10.0) -> None:
        deps = Deps(settings, clock) if clock else Deps(settings)
        self.app = build_app(settings, deps)
        self.sock = listening_socket("127.0.0.1", 0)
        self.port = self.sock.getsockname()[1]
        self.asgi = asgi_app(self.app, settings, clock)
        self.server = uvicorn.Server(uvicorn_config(self.asgi, header_seconds))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> AppServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def request(
        self, method: str, path: str, body: str = "", headers: dict[str, str] | None = None
    ) -> Response:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        conn.request(method, path, body=body.encode(), headers=headers or {})
        raw = conn.getresponse()
        result = Response(raw.status, raw.read().decode(), {k.lower(): v for k, v in raw.getheaders()})
        conn.close()
        if result.headers.get("content-type", "").startswith("application/json") and result.body:
            check_blocks(result.json().get("blocks", []), 50)  # what Slack would refuse to show
        return result

    def post(
        self,
        body: str,
        content_type: str,
        headers: dict[str, str] | None = None,
        signed: bool = True,
        timestamp: int | None = None,
    ) -> Response:
        """POST signed as Slack signs (at ``timestamp``: Slack's retries are signed anew, later)."""
        all_headers = {
            "Content-Type": content_type,
            **(sign(body, timestamp) if signed else {}),
            **(headers or {}),
        }
        return self.request("POST", "/slack/events", body, all_headers)

    def command(self, text: str, **kwargs: Any) -> Response:
        return self.post(command_body(text, **kwargs), "application/x-www-form-urlencoded")

    def interact(self, payload: dict) -> Response:
        return self.post(payload_body(payload), "application/x-www-form-urlencoded")

    def event(
        self, event: dict, headers: dict[str, str] | None = None, timestamp: int | None = None, **kwargs: Any
    ) -> Response:
        return self.post(event_body(event, **kwargs), "application/json", headers, timestamp=timestamp)


def settings_for(db: str, api_url: str, **overrides: Any) -> Settings:
    from .slack_api import BOT_TOKEN

    values = {"bot_token": BOT_TOKEN, "signing_secret": SIGNING_SECRET, "api_url": api_url, "db": db}
    values.update(overrides)
    return Settings(**values)


def fixed_clock(moment: datetime):
    return lambda: moment

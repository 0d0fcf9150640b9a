"""The HTTP surface of `kpibot serve`: a small ASGI app run by uvicorn.

POST /slack/events takes slash commands, interactivity and events; POST /api/v1/observations is the
push API (bot/push_api.py, its own bearer tokens and a 10 MB body limit); GET /healthz answers 200. Headers
are due within a deadline (bot/http_protocol.py). Before
Bolt sees a request its body is read within a size and time limit and its signature is checked on
the raw bytes (bot/signature.py): an unsigned, stale, replayed or oversized request is refused
without anything of it being parsed. A form body that merely contains the word "payload" (Bolt then
reads it as an empty interactivity payload and answers 404) is parsed as the form it is.
"""

from __future__ import annotations

import asyncio
import json
import logging
import multiprocessing
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

import uvicorn
from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.context import BoltContext
from slack_bolt.request.internals import build_context

from .alerting import AlertService
from .config import Settings
from .http_protocol import HEADER_SECONDS, with_deadline
from .push_api import PUSH_PATH, PushApi
from .signature import ReplayGuard, replay_path, valid_signature

log = logging.getLogger("kpibot.http")
EVENTS_PATH = "/slack/events"
MAX_BODY_BYTES = 1 << 20
BODY_SECONDS = 10.0


def _refusal(status: int, error: str) -> BoltResponse:
    return BoltResponse(
        status=status,
        body=json.dumps({"error": error}),
        headers={"content-type": "application/json;charset=utf-8"},
    )


def _unauthorized() -> BoltResponse:
    return _refusal(401, "invalid request")


class FormSafeRequest(BoltRequest):
    """A BoltRequest that reads a form body mentioning "payload" (in a command's text) as a form."""

    def __init__(self, *, body: str, headers: dict[str, Any], query: str | None = None) -> None:
        super().__init__(body=body, headers=headers, query=query)
        if not self.body and body and self.content_type == "application/x-www-form-urlencoded":
            form = dict(parse_qsl(body, keep_blank_values=True))
            if "payload" not in form:
                self.body = form
                self.context = build_context(BoltContext({}), self.body)


def _well_formed(body: str, content_type: str) -> bool:
    """A signed body Bolt can read: a form whose payload (if any) is a JSON object, or a JSON object."""
    try:
        if content_type.startswith("application/json"):
            return isinstance(json.loads(body), dict)
        form = dict(parse_qsl(body, keep_blank_values=True))
        return "payload" not in form or isinstance(json.loads(form["payload"]), dict)
    except (ValueError, RecursionError):
        return False


def _header(headers: dict[str, list[str]], name: str) -> str:
    return (headers.get(name) or [""])[0]


class SlackAsgi:
    """ASGI app: each request's body is read within a size and time limit, its signature checked on
    the raw bytes, and only then handed to Bolt, whose dispatch runs on ``threads`` worker threads."""

    def __init__(
        self,
        app: App,
        signing_secret: str,
        replay: ReplayGuard,
        threads: int = 1,
        clock: Callable[[], float] = time.time,
        push: PushApi | None = None,
    ) -> None:
        self.app = app
        self.push = push
        self.signing_secret = signing_secret
        self.replay = replay
        self.clock = clock
        self.max_body, self.body_seconds = MAX_BODY_BYTES, BODY_SECONDS
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="kpibot-http")

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    self.pool.shutdown(wait=False)
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        path, method = scope["path"], scope["method"]
        if path == "/healthz" and method in ("GET", "HEAD"):
            await _send(send, BoltResponse(status=200, body="ok"))
            return
        pushing = path == PUSH_PATH and self.push is not None
        if method != "POST" or (path != EVENTS_PATH and not pushing):
            await _send(send, BoltResponse(status=404, body="not found"))
            return
        headers: dict[str, list[str]] = {}
        for key, value in scope["headers"]:
            headers.setdefault(key.decode("latin-1").lower(), []).append(value.decode("latin-1"))
        limit = self.push.max_body if pushing and self.push else self.max_body
        raw = await self._read_body(receive, headers, limit)
        if isinstance(raw, BoltResponse):
            await _send(send, raw)
            return
        loop = asyncio.get_running_loop()
        if pushing and self.push:
            auth, kind = _header(headers, "authorization"), _header(headers, "content-type")
            response = await loop.run_in_executor(self.pool, self.push.handle, raw, auth, kind)
        else:
            response = await loop.run_in_executor(self.pool, self._dispatch, raw, headers, scope)
        await _send(send, response)

    async def _read_body(
        self, receive: Any, headers: dict[str, list[str]], limit: int
    ) -> bytes | BoltResponse:
        """The request body, or a refusal: over ``limit`` (413, told by Content-Length before
        reading, or on the chunk that passes it) or not all sent within ``body_seconds`` (408)."""
        declared = _header(headers, "content-length")
        if declared.isascii() and declared.isdigit() and int(declared) > limit:
            return _refusal(413, f"the body is over {limit} bytes")
        raw = bytearray()
        deadline = asyncio.get_running_loop().time() + self.body_seconds
        while True:
            remaining = deadline - asyncio.get_running_loop().time()
            try:
                message = await asyncio.wait_for(receive(), timeout=max(remaining, 0.001))
            except TimeoutError:
                return _refusal(408, f"the body did not arrive within {self.body_seconds:g} seconds")
            if message["type"] == "http.disconnect":
                return _refusal(400, "the client went away")
            raw += message.get("body", b"")
            if len(raw) > limit:
                return _refusal(413, f"the body is over {limit} bytes")
            if not message.get("more_body"):
                return bytes(raw)

    def _dispatch(self, raw: bytes, headers: dict[str, list[str]], scope: dict[str, Any]) -> BoltResponse:
        """Verify, refuse replays, check the body parses, then let Bolt answer (on a worker thread)."""
        signature = _header(headers, "x-slack-signature")
        timestamp = _header(headers, "x-slack-request-timestamp")
        if not valid_signature(self.signing_secret, timestamp, signature, raw, self.clock()):
            return _unauthorized()
        if not self.replay.first_sighting(signature):
            log.warning("refused a replayed request (signature seen in the last five minutes)")
            return _unauthorized()
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            return _refusal(400, "the body is not UTF-8")
        if not _well_formed(body, _header(headers, "content-type")):
            return _refusal(400, "the body is not a form or JSON object")
        request = FormSafeRequest(
            body=body, headers=headers, query=scope.get("query_string", b"").decode("latin-1")
        )
        return self.app.dispatch(request)


async def _send(send: Any, response: BoltResponse) -> None:
    body = response.body.encode("utf-8") if isinstance(response.body, str) else (response.body or b"")
    headers = [(b"content-length", str(len(body)).encode())]
    for key, values in (response.headers or {}).items():
        if key.lower() == "content-length":
            continue
        for value in values if isinstance(values, list | tuple) else [values]:
            headers.append((key.encode("latin-1"), str(value).encode("latin-1")))
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def listening_socket(host: str, port: int, *, reuse_port: bool = False) -> socket.socket:
    """A TCP socket created with its protocol number, so asyncio turns Nagle off on its connections
    (a socket without it answers every response 40 ms late, waiting for a delayed ACK)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


def asgi_app(app: App, settings: Settings, clock: Callable[[], datetime] | None = None) -> SlackAsgi:
    """The ASGI app for the Bolt app and the push API: the signing secret, replay ledger and
    database come from ``settings``; ``clock`` stamps the tokens' last use."""
    alerts = AlertService(settings, app.client, clock)
    push = (
        PushApi(settings, clock, alerts.after_write)
        if clock
        else PushApi(settings, on_write=alerts.after_write)
    )
    return SlackAsgi(app, settings.signing_secret or "", ReplayGuard(replay_path(settings.db)), push=push)


def uvicorn_config(asgi: SlackAsgi, header_seconds: float = HEADER_SECONDS) -> uvicorn.Config:
    """How uvicorn serves kpibot: idle connections closed after 5 s, headers due within
    ``header_seconds``, at most 200 connections at once."""
    return uvicorn.Config(
        asgi,
        http=with_deadline(header_seconds),
        log_level="warning",
        access_log=False,
        lifespan="on",
        timeout_keep_alive=5,
        limit_concurrency=200,
    )


def run_http(app: App, settings: Settings, sock: socket.socket) -> None:
    """Serve until interrupted (uvicorn, in this process)."""
    uvicorn.Server(uvicorn_config(asgi_app(app, settings))).run(sockets=[sock])


def _worker(host: str, port: int) -> None:
    """One HTTP worker process: its own settings, redacting log handler, app and socket."""
    from . import logs
    from .app import build_app

    settings = Settings.from_env()
    logs.setup([settings.bot_token or "", settings.app_token or "", settings.signing_secret or ""])
    run_http(build_app(settings), settings, listening_socket(host, port, reuse_port=True))


def serve_http(app: App, settings: Settings, host: str, port: int, workers: int) -> None:
    """One process, or ``workers`` processes sharing the port (SO_REUSEPORT): Python answers a request
    on one core, so a second process doubles what a 2-core machine answers at once."""
    if workers <= 1:
        run_http(app, settings, listening_socket(host, port))
        return
    context = multiprocessing.get_context("spawn")
    children = [context.Process(target=_worker, args=(host, port), daemon=True) for _ in range(workers)]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    for child in children:
        child.start()
    try:
        for child in children:
            child.join()
    finally:
        for child in children:
            child.terminate()
        for child in children:
            child.join(timeout=10)


def serve_push_in_background(
    app: App, settings: Settings, host: str, port: int
) -> tuple[uvicorn.Server, int]:
    """The push API alone (Socket Mode has no HTTP server): the same ASGI app without a signing
    secret, so `/slack/events` refuses everything and only `/api/v1/observations` and `/healthz`
    answer. Returns the server (to stop it) and the port it listens on."""
    push = PushApi(settings, on_write=AlertService(settings, app.client).after_write)
    asgi = SlackAsgi(app, "", ReplayGuard(replay_path(settings.db)), push=push)
    server = uvicorn.Server(uvicorn_config(asgi))
    sock = listening_socket(host, port)
    threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="kpibot-push").start()
    return server, sock.getsockname()[1]

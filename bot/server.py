"""The HTTP surface of `kpibot serve`: a small ASGI app run by uvicorn.

POST /slack/events takes slash commands, interactivity and events; GET /healthz answers 200. Two
known traps of Bolt 1.30 are handled before Bolt sees the request: a non-numeric timestamp header
(Bolt answers 500) is rejected with 401, and a form body that merely contains the word "payload"
(Bolt then reads it as an empty interactivity payload and answers 404) is parsed as the form it is.
"""

from __future__ import annotations

import asyncio
import json
import logging
import multiprocessing
import signal
import socket
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qsl

import uvicorn
from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.context import BoltContext
from slack_bolt.request.internals import build_context

log = logging.getLogger("kpibot.http")
EVENTS_PATH = "/slack/events"


def _unauthorized() -> BoltResponse:
    return BoltResponse(
        status=401,
        body=json.dumps({"error": "invalid request"}),
        headers={"content-type": "application/json;charset=utf-8"},
    )


class FormSafeRequest(BoltRequest):
    """A BoltRequest that reads a form body mentioning "payload" (in a command's text) as a form."""

    def __init__(self, *, body: str, headers: dict[str, Any], query: str | None = None) -> None:
        super().__init__(body=body, headers=headers, query=query)
        if not self.body and body and self.content_type == "application/x-www-form-urlencoded":
            form = dict(parse_qsl(body, keep_blank_values=True))
            if "payload" not in form:
                self.body = form
                self.context = build_context(BoltContext({}), self.body)


def slack_request(raw: bytes, headers: dict[str, list[str]], query: str) -> BoltRequest | BoltResponse:
    """The Bolt request for an HTTP request, or a 401 for headers Bolt itself would mishandle."""
    timestamp = (headers.get("x-slack-request-timestamp") or [""])[0]
    if timestamp and not timestamp.isdigit():
        return _unauthorized()
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError:
        return _unauthorized()
    return FormSafeRequest(body=body, headers=headers, query=query)


class SlackAsgi:
    """ASGI app: Bolt's dispatch runs on a thread pool so one slow request does not hold the others."""

    def __init__(self, app: App, threads: int = 1) -> None:
        self.app = app
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
        if path != EVENTS_PATH or method != "POST":
            await _send(send, BoltResponse(status=404, body="not found"))
            return
        raw = b""
        while True:
            message = await receive()
            raw += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers: dict[str, list[str]] = {}
        for key, value in scope["headers"]:
            headers.setdefault(key.decode("latin-1").lower(), []).append(value.decode("latin-1"))
        request = slack_request(raw, headers, scope.get("query_string", b"").decode("latin-1"))
        if isinstance(request, BoltResponse):
            await _send(send, request)
            return
        loop = asyncio.get_running_loop()
        response = await loop.run_in_executor(self.pool, self.app.dispatch, request)
        await _send(send, response)


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


def run_http(app: App, sock: socket.socket) -> None:
    """Serve until interrupted (uvicorn, in this process)."""
    config = uvicorn.Config(SlackAsgi(app), log_level="warning", access_log=False, lifespan="on")
    uvicorn.Server(config).run(sockets=[sock])


def _worker(host: str, port: int) -> None:
    """One HTTP worker process: its own settings, redacting log handler, app and socket."""
    from . import logs
    from .app import build_app
    from .config import Settings

    settings = Settings.from_env()
    logs.setup([settings.bot_token or "", settings.app_token or "", settings.signing_secret or ""])
    run_http(build_app(settings), listening_socket(host, port, reuse_port=True))


def serve_http(app: App, host: str, port: int, workers: int) -> None:
    """One process, or ``workers`` processes sharing the port (SO_REUSEPORT): Python answers a request
    on one core, so a second process doubles what a 2-core machine answers at once."""
    if workers <= 1:
        run_http(app, listening_socket(host, port))
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

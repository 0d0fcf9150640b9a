"""A Slack Web API stand-in on 127.0.0.1 (port 0) for tests: records every call, answers like Slack.

It checks the bearer token, Block Kit limits (its own checks and slack_sdk's block models) and the
presence of fallback ``text``; ``apps.connections.open`` hands out a Socket Mode stand-in's URL
(``socket_mode.py``) when given one; it can be told to answer a method with 429 + Retry-After (or
500) a number of times; channels can be marked as ones the bot is not in; files can be served for
download; ``/webhook/...`` stands in for ``response_url``. Written for kpibot's tests, after the mock server of bolt-python's test suite.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlparse

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block

BOT_TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-test-token"


@dataclass
class Call:
    method: str
    body: dict[str, Any]
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)


class BlockKitError(Exception):
    pass


def check_blocks(blocks: list[dict[str, Any]], limit: int) -> None:
    """Slack's documented Block Kit limits (see shared/SLACK-PLATFORM.md section E)."""
    if len(blocks) > limit:
        raise BlockKitError(f"{len(blocks)} blocks > {limit}")
    for block in blocks:
        if len(block.get("block_id", "")) > 255:
            raise BlockKitError("block_id > 255")
        kind = block.get("type")
        if kind == "header" and len(block["text"]["text"]) > 150:
            raise BlockKitError("header text > 150")
        if kind == "section":
            if "text" in block and not 1 <= len(block["text"]["text"]) <= 3000:
                raise BlockKitError("section text not within 1..3000")
            fields = block.get("fields", [])
            if len(fields) > 10 or any(len(f["text"]) > 2000 for f in fields):
                raise BlockKitError("section fields over 10 x 2000")
            if "text" not in block and not fields:
                raise BlockKitError("section without text or fields")
        if kind == "context" and not 1 <= len(block["elements"]) <= 10:
            raise BlockKitError("context elements not within 1..10")
        if kind == "actions":
            if len(block["elements"]) > 25:
                raise BlockKitError("actions elements > 25")
            ids = [e.get("action_id") for e in block["elements"]]
            if len(ids) != len(set(ids)):
                raise BlockKitError("duplicate action_id in one actions block")
            for element in block["elements"]:
                if element.get("type") == "button" and len(element["text"]["text"]) > 75:
                    raise BlockKitError("button text > 75")
                if len(element.get("action_id", "")) > 255 or len(element.get("value", "")) > 2000:
                    raise BlockKitError("action_id > 255 or value > 2000")
        if kind == "input" and len(block["label"]["text"]) > 2000:
            raise BlockKitError("input label > 2000")
        try:
            Block.parse(block).to_dict()  # slack_sdk's models run their own checks on to_dict
        except SlackObjectFormationError as exc:
            raise BlockKitError(f"slack_sdk refuses a {kind} block: {exc}") from None


class SlackApi:
    """Start with ``with SlackApi() as api:``; ``api.url`` is the base URL to give the app."""

    def __init__(self, token: str = BOT_TOKEN, app_token: str = APP_TOKEN, socket_mode_url: str = "") -> None:
        self.token = token
        self.app_token = app_token
        self.socket_mode_url = socket_mode_url
        self.calls: list[Call] = []
        self.webhooks: list[Call] = []
        self.uploads: list[bytes] = []
        self.failures: dict[str, list[tuple[int, dict[str, Any], dict[str, str]]]] = {}
        self.not_in: set[str] = set()
        self.missing: set[str] = set()
        self.files: dict[str, bytes] = {}
        self.file_meta: dict[str, dict[str, Any]] = {}
        self.messages: list[dict[str, Any]] = []  # what chat.postMessage posted, as history returns it
        self.delays: dict[str, float] = {}  # seconds a method takes to answer, after it has acted
        self.drops: set[str] = set()  # methods that act, then close the connection without answering
        self.drip_seconds = 0.0
        self.downloads: list[dict[str, str]] = []
        self.triggers_used: set[str] = set()
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/api/"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> SlackApi:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- scripting -------------------------------------------------------------------------------

    def fail(
        self, method: str, status: int = 429, times: int = 1, retry_after: int = 1, error: str = "ratelimited"
    ):
        headers = {"Retry-After": str(retry_after)} if status == 429 else {}
        self.failures.setdefault(method, []).extend(
            [(status, {"ok": False, "error": error}, headers)] * times
        )

    def serve_file(
        self,
        name: str,
        content: bytes,
        file_id: str = "F1",
        *,
        size: int | None = None,
        url: str | None = None,
        filetype: str = "csv",
    ) -> str:
        """Serve a file at /files/NAME and describe it in files.info as Slack would (size in bytes,
        url_private_download); ``size`` and ``url`` let a test make Slack's description lie or point away."""
        self.files[name] = content
        self.file_meta[file_id] = {
            "id": file_id,
            "name": name,
            "filetype": filetype,
            "size": len(content) if size is None else size,
            "url_private_download": url or f"http://127.0.0.1:{self.port}/files/{name}",
        }
        return f"http://127.0.0.1:{self.port}/files/{name}"

    def response_url(self, name: str = "r1") -> str:
        return f"http://127.0.0.1:{self.port}/webhook/{name}"

    def calls_to(self, method: str) -> list[Call]:
        with self.lock:
            return [c for c in self.calls if c.method == method]

    def wait_for(
        self, method: str, count: int = 1, timeout: float = 5.0, webhook: bool = False
    ) -> list[Call]:
        """Calls made asynchronously (after the HTTP answer) arrive a little later: poll for them."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.webhooks if webhook else self.calls_to(method)
            if len(found) >= count or time.monotonic() > deadline:
                return list(found)
            time.sleep(0.02)

    # -- the server ----------------------------------------------------------------------------------

    def _answer(
        self, method: str, body: dict[str, Any], headers: dict[str, str]
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        with self.lock:
            queued = self.failures.get(method)
            if queued:
                return queued.pop(0)
        expected = self.app_token if method == "apps.connections.open" else self.token
        if headers.get("authorization") != f"Bearer {expected}":
            return (
                200,
                {"ok": False, "error": "invalid_auth" if headers.get("authorization") else "not_authed"},
                {},
            )
        try:
            if "blocks" in body:
                blocks = body["blocks"] if isinstance(body["blocks"], list) else json.loads(body["blocks"])
                check_blocks(blocks, 50)
            if "view" in body:
                view = body["view"] if isinstance(body["view"], dict) else json.loads(body["view"])
                check_blocks(view["blocks"], 100)
                if view.get("type") == "modal" and len(view["title"]["text"]) > 24:
                    raise BlockKitError("modal title > 24")
        except BlockKitError as exc:
            return 200, {"ok": False, "error": "invalid_blocks", "detail": str(exc)}, {}
        channel = body.get("channel") or body.get("channel_id")
        if method in ("chat.postMessage", "chat.postEphemeral", "files.completeUploadExternal"):
            if channel in self.missing:
                return 200, {"ok": False, "error": "channel_not_found"}, {}
            if channel in self.not_in:
                return 200, {"ok": False, "error": "not_in_channel"}, {}
            if method != "files.completeUploadExternal" and not body.get("text"):
                return (
                    200,
                    {"ok": False, "error": "no_text", "detail": "kpibot always sends fallback text"},
                    {},
                )
        if method == "apps.connections.open":
            if not self.socket_mode_url:
                return 200, {"ok": False, "error": "socket_mode_not_enabled"}, {}
            return 200, {"ok": True, "url": self.socket_mode_url}, {}
        if method == "auth.test":
            return 200, {"ok": True, "team_id": "T1", "user_id": "UBOT", "bot_id": "BBOT", "team": "Test"}, {}
        if method == "chat.postMessage":
            ts = f"{time.time():.6f}"
            metadata = body.get("metadata")
            metadata = json.loads(metadata) if isinstance(metadata, str) else metadata
            with self.lock:
                self.messages.append(
                    {"channel": channel, "ts": ts, "text": body.get("text"), "metadata": metadata}
                )
            if self.delays.get(method):
                time.sleep(self.delays[method])
            return (
                200,
                {"ok": True, "channel": channel, "ts": ts, "message": {"ts": ts, "text": body.get("text")}},
                {},
            )
        if method == "chat.postEphemeral":
            return 200, {"ok": True, "message_ts": f"{time.time():.6f}"}, {}
        if method in ("views.open", "views.publish", "views.update"):
            if method == "views.open":
                trigger = body.get("trigger_id", "")
                with self.lock:
                    if trigger in self.triggers_used:
                        return 200, {"ok": False, "error": "exchanged_trigger_id"}, {}
                    self.triggers_used.add(trigger)
            view = body["view"] if isinstance(body["view"], dict) else json.loads(body["view"])
            return 200, {"ok": True, "view": {**view, "id": "V1", "hash": "h1"}}, {}
        if method == "conversations.history":
            if channel in self.not_in:
                return 200, {"ok": False, "error": "not_in_channel"}, {}
            oldest = float(body.get("oldest") or 0)
            with self.lock:
                found = [
                    {
                        "type": "message",
                        "ts": m["ts"],
                        "text": m["text"],
                        **(
                            {"metadata": m["metadata"]}
                            if m["metadata"] and body.get("include_all_metadata")
                            else {}
                        ),
                    }
                    for m in self.messages
                    if m["channel"] == channel and float(m["ts"]) >= oldest
                ]
            newest_first = found[::-1]
            start = int(body.get("cursor") or 0)
            size = int(body.get("limit") or 100)
            page = newest_first[start : start + size]
            more = start + size < len(newest_first)
            answer = {"ok": True, "messages": page, "has_more": more}
            if more:
                answer["response_metadata"] = {"next_cursor": str(start + size)}
            return 200, answer, {}
        if method == "files.info":
            meta = self.file_meta.get(body.get("file", ""))
            if meta is None:
                return 200, {"ok": False, "error": "file_not_found"}, {}
            return 200, {"ok": True, "file": meta}, {}
        if method == "conversations.open":
            return 200, {"ok": True, "channel": {"id": "D" + body.get("users", "X")}}, {}
        if method == "files.getUploadURLExternal":
            return (
                200,
                {"ok": True, "upload_url": f"http://127.0.0.1:{self.port}/upload/F1", "file_id": "F1"},
                {},
            )
        if method == "files.completeUploadExternal":
            files = json.loads(body["files"]) if isinstance(body["files"], str) else body["files"]
            return 200, {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}, {}
        return 200, {"ok": False, "error": "unknown_method"}, {}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _send(
                self,
                status: int,
                payload: dict[str, Any] | bytes | str,
                headers: dict[str, str] | None = None,
            ):
                data = (
                    payload
                    if isinstance(payload, bytes)
                    else (payload.encode() if isinstance(payload, str) else json.dumps(payload).encode())
                )
                self.send_response(status)
                self.send_header(
                    "Content-Type", "application/json" if isinstance(payload, dict) else "text/plain"
                )
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                parsed = urlparse(self.path)
                path = parsed.path
                with api.lock:
                    api.downloads.append(
                        {"path": path, "authorization": self.headers.get("Authorization", "")}
                    )
                if path == "/redirect":
                    self.send_response(302)
                    self.send_header("Location", dict(parse_qsl(parsed.query))["to"])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if path.startswith("/drip/"):
                    content = api.files[path[len("/drip/") :]]
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(content)))
                    self.end_headers()
                    for start in range(0, len(content), 64):
                        time.sleep(api.drip_seconds)
                        try:
                            self.wfile.write(content[start : start + 64])
                            self.wfile.flush()
                        except OSError:
                            return
                    return
                if path.startswith("/files/"):
                    name = path[len("/files/") :]
                    if self.headers.get("Authorization") != f"Bearer {api.token}":
                        self._send(403, "forbidden")
                    elif name not in api.files:
                        self._send(404, "not found")
                    else:
                        self._send(200, api.files[name])
                    return
                self._send(404, "not found")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                path = urlparse(self.path).path
                headers = {k.lower(): v for k, v in self.headers.items()}
                if path.startswith("/upload/"):
                    api.uploads.append(raw)
                    self._send(200, "OK - uploaded")
                    return
                if path.startswith("/webhook/"):
                    body = json.loads(raw or b"{}")
                    with api.lock:
                        api.webhooks.append(Call(path, body, headers))
                    try:
                        check_blocks(body.get("blocks", []), 50)
                    except BlockKitError as exc:
                        self._send(400, f"invalid_blocks: {exc}")
                        return
                    self._send(200, "ok")
                    return
                method = path.rsplit("/", 1)[-1]
                text = raw.decode("utf-8")
                if headers.get("content-type", "").startswith("application/json"):
                    body = json.loads(text or "{}")
                else:
                    body = dict(parse_qsl(text, keep_blank_values=True))
                with api.lock:
                    api.calls.append(Call(method, body, headers))
                status, payload, extra = api._answer(method, body, headers)
                if method in api.drops:
                    self.close_connection = True
                    return
                self._send(status, payload, extra)

        return Handler

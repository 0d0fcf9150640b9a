"""Slack's end of Socket Mode on 127.0.0.1 (port 0), for tests: a WebSocket server.

``SlackApi(socket_mode=...)`` hands its URL out from ``apps.connections.open``. Each connection gets
Slack's ``hello``; a test pushes envelopes as Slack does (a slash command, an interaction, an event)
and reads the app's acknowledgements, and can send Slack's ``disconnect`` (refresh) message, after
which an app must open a new connection (shared/SLACK-PLATFORM.md, F1).
"""

from __future__ import annotations

import json
import queue
import threading
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve


class SocketModeServer:
    def __init__(self) -> None:
        self.connections: queue.Queue[ServerConnection] = queue.Queue()
        self.acks: queue.Queue[dict[str, Any]] = queue.Queue()
        self._server = serve(self._handle, "127.0.0.1", 0)
        self.url = f"ws://127.0.0.1:{self._server.socket.getsockname()[1]}/link"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> SocketModeServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)

    def _handle(self, connection: ServerConnection) -> None:
        hello = {"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A1"}}
        connection.send(json.dumps(hello))
        self.connections.put(connection)
        try:
            for message in connection:
                self.acks.put(json.loads(message))
        except ConnectionClosed:
            pass

    def next_connection(self, timeout: float = 30) -> ServerConnection:
        return self.connections.get(timeout=timeout)

    def push(
        self, connection: ServerConnection, envelope_id: str, kind: str, payload: dict[str, Any]
    ) -> None:
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": True,
        }
        connection.send(json.dumps(envelope))

    def ack(self, envelope_id: str, timeout: float = 20) -> dict[str, Any]:
        """The app's acknowledgement of one envelope (others received meanwhile are dropped)."""
        while True:
            ack = self.acks.get(timeout=timeout)
            if ack.get("envelope_id") == envelope_id:
                return ack

    @staticmethod
    def refresh(connection: ServerConnection) -> None:
        """What Slack does every few hours: ask the app to reconnect, then close."""
        connection.send(json.dumps({"type": "disconnect", "reason": "refresh_requested"}))

"""What reaches the HTTP server before Bolt: signatures on raw bytes, replays, sizes and slow senders."""

from __future__ import annotations

import json
import logging
import socket
import time
from urllib.parse import quote

import pytest

from kpi.store import Store

from .conftest import NOW, snapshot
from .support.server import AppServer, fixed_clock, settings_for
from .support.signing import command_body, payload_body, sign


@pytest.fixture
def server(api, loaded_db):
    with AppServer(settings_for(loaded_db, api.url), fixed_clock(NOW)) as running:
        yield running


def button_payload(response_url: str) -> dict:
    return {
        "type": "block_actions",
        "user": {"id": "U1", "team_id": "T1"},
        "team": {"id": "T1"},
        "channel": {"id": "C1"},
        "container": {"type": "message", "channel_id": "C1"},
        "trigger_id": "1.2.3",
        "response_url": response_url,
        "actions": [{"action_id": "run:0", "block_id": "b", "value": "engagement", "type": "button"}],
    }


# Timestamps that pass str.isdigit() but not int(), or nothing at all: Bolt's own check lets them in.
ODD_TIMESTAMPS = ["²", "¹²³", "9" * 5000, "", " 1", "١٢٣", "+1700000000"]


@pytest.mark.parametrize("timestamp", ODD_TIMESTAMPS)
def test_timestamps_that_are_not_ascii_digits_are_refused_before_anything_acts(
    server, api, loaded_db, timestamp
):
    body = payload_body(button_payload(api.response_url()))
    headers = {"X-Slack-Request-Timestamp": timestamp.encode(), "X-Slack-Signature": "v0=" + "0" * 64}
    response = server.post(body, "application/x-www-form-urlencoded", headers, signed=False)
    assert response.status == 401 and response.json() == {"error": "invalid request"}
    command = server.post(command_body("list"), "application/x-www-form-urlencoded", headers, signed=False)
    assert command.status == 401
    time.sleep(0.2)
    assert api.webhooks == [] and api.calls == []


UNPARSABLE = [
    ("payload=%7Bx", "application/x-www-form-urlencoded"),
    ("payload=[]", "application/x-www-form-urlencoded"),
    ("payload=null", "application/x-www-form-urlencoded"),
    ("[1, 2, 3]", "application/json"),
    (command_body("help"), "application/json"),
    ("[" * 100_000 + "]" * 100_000, "application/json"),
    ("payload=" + quote("[" * 50_000 + "]" * 50_000), "application/x-www-form-urlencoded"),
]


@pytest.mark.parametrize("body, content_type", UNPARSABLE, ids=range(len(UNPARSABLE)))
def test_bodies_that_do_not_parse_are_401_unsigned_and_400_signed_never_500(
    server, body, content_type, caplog
):
    caplog.set_level(logging.WARNING)
    assert server.post(body, content_type, signed=False).status == 401
    signed = server.post(body, content_type)
    assert signed.status == 400 and "error" in signed.json()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


def test_a_replayed_request_acts_once(server, api):
    body = command_body("report weekly", response_url=api.response_url())
    headers = sign(body)
    statuses = [
        server.post(body, "application/x-www-form-urlencoded", headers, signed=False).status for _ in range(4)
    ]
    assert statuses == [200, 401, 401, 401]
    api.wait_for("chat.postMessage", 2, timeout=1.5)
    assert len(api.calls_to("chat.postMessage")) == 1


def test_a_replay_to_another_worker_is_refused_too(api, loaded_db):
    """Workers are processes with their own memory: the ledger of signatures seen is shared on disk."""
    settings = settings_for(loaded_db, api.url)
    body = command_body("list")
    headers = sign(body)
    with AppServer(settings, fixed_clock(NOW)) as one, AppServer(settings, fixed_clock(NOW)) as two:
        assert one.post(body, "application/x-www-form-urlencoded", headers, signed=False).status == 200
        assert two.post(body, "application/x-www-form-urlencoded", headers, signed=False).status == 401


def raw_exchange(port: int, head: bytes, parts: list[bytes], pause: float = 0.0) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=20) as conn:
        conn.sendall(head)
        for part in parts:
            time.sleep(pause)
            try:
                conn.sendall(part)
            except OSError:
                break
        conn.settimeout(20)
        answer = b""
        while True:
            try:
                chunk = conn.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not chunk:
                break
            answer += chunk
            if b"\r\n\r\n" in answer:
                break
        return answer


def test_a_body_over_the_limit_is_refused_by_its_length_before_it_is_read(server, loaded_db):
    with Store(loaded_db) as store:
        before = snapshot(store)
    head = (
        b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 104857600\r\n\r\n"
    )
    started = time.monotonic()
    answer = raw_exchange(server.port, head, [b"{" * 1000])
    assert answer.startswith(b"HTTP/1.1 413"), answer[:80]
    assert time.monotonic() - started < 5
    with Store(loaded_db) as store:
        assert snapshot(store) == before


def test_a_chunked_body_over_the_limit_is_refused_at_the_limit(server):
    head = (
        b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
    )
    chunk = b"x" * 65536
    parts = [b"%x\r\n%s\r\n" % (len(chunk), chunk)] * 40  # 2.5 MiB, never finished
    answer = raw_exchange(server.port, head, parts)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:80]


def test_a_half_sent_body_is_timed_out(server):
    server.asgi.body_seconds = 0.5
    head = (
        b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 100\r\n\r\n"
    )
    started = time.monotonic()
    answer = raw_exchange(server.port, head, [b'{"type": '])
    assert answer.startswith(b"HTTP/1.1 408"), answer[:80]
    assert time.monotonic() - started < 5
    assert server.request("GET", "/healthz").status == 200


@pytest.mark.parametrize(
    "head, parts",
    [
        (b"", []),  # connects and sends nothing
        (b"POST /slack/events HTTP/1.1\r\n", [b"H", b"o", b"s", b"t", b":", b" ", b"x", b"\r", b"\n"] * 4),
    ],
    ids=["silent", "headers-a-byte-at-a-time"],
)
def test_headers_not_complete_within_the_deadline_get_408_and_the_connection_closed(
    api, loaded_db, head, parts
):
    with AppServer(settings_for(loaded_db, api.url), fixed_clock(NOW), header_seconds=0.6) as slow:
        started = time.monotonic()
        answer = raw_exchange(slow.port, head, parts, pause=0.1)  # 3.6 s of trickle if never cut off
        waited = time.monotonic() - started
        assert answer.startswith(b"HTTP/1.1 408"), answer[:80]
        assert waited < 3, waited
        assert slow.request("GET", "/healthz").status == 200


def test_headers_within_the_deadline_are_served_and_each_request_gets_its_own(api, loaded_db):
    settings = settings_for(loaded_db, api.url)
    with (
        AppServer(settings, fixed_clock(NOW), header_seconds=0.6) as slow,
        socket.create_connection(("127.0.0.1", slow.port), timeout=10) as conn,
    ):
        for _ in range(3):  # three requests on one connection over more than one deadline
            time.sleep(0.3)
            conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            answer = conn.recv(65536)
            assert answer.startswith(b"HTTP/1.1 200"), answer[:80]


def test_a_signed_body_just_under_the_limit_is_read(server):
    filler = "x" * (server.asgi.max_body - 2000)
    body = json.dumps({"type": "url_verification", "challenge": "c1", "pad": filler})
    response = server.post(body, "application/json")
    assert response.status == 200 and response.json() == {"challenge": "c1"}

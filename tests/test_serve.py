"""`kpibot serve` as an admin starts it: a real process, configured by the environment."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import parse_qsl

import pytest

from kpi.store import Store

from .conftest import SOCIAL, load, needs_real_clock
from .support.signing import SIGNING_SECRET, command_body, sign
from .support.slack_api import APP_TOKEN, BOT_TOKEN, SlackApi
from .support.socket_mode import SocketModeServer

ROOT = Path(__file__).resolve().parent.parent


def env_for(tmp_path: Path, **values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KPIBOT_", "SLACK_"))}
    env.update({"PYTHONPATH": str(ROOT), "KPIBOT_DB": str(tmp_path / "kpibot.db"), **values})
    return env


def start_serve(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.Popen:
    """`kpibot serve` as a separate process, its log on stdout."""
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", *args],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_missing_settings_are_named_together(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "serve"],
        cwd=tmp_path,
        env=env_for(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("Missing settings: SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET.")
    assert "Traceback" not in result.stderr


def test_socket_mode_needs_the_app_token_only(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "serve"],
        cwd=tmp_path,
        env=env_for(tmp_path, SLACK_APP_TOKEN="xapp-1"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("Missing settings: SLACK_BOT_TOKEN.")


def test_socket_mode_connects_with_the_app_token(tmp_path):
    with SlackApi() as api:
        api.fail("apps.connections.open", status=200, error="invalid_auth", times=5)
        env = env_for(
            tmp_path, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN="xapp-wrong", SLACK_API_URL=api.url
        )
        result = subprocess.run(
            [sys.executable, "-m", "bot.cli", "serve"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert api.calls_to("apps.connections.open")[0].headers["authorization"] == "Bearer xapp-wrong"
    assert result.returncode == 1
    assert "Socket Mode could not connect: invalid_auth" in result.stderr
    assert "xapp-wrong" not in result.stderr and BOT_TOKEN not in result.stderr


@needs_real_clock
def test_socket_mode_answers_commands_and_reconnects_when_slack_refreshes(tmp_path):
    with Store(tmp_path / "kpibot.db") as store:
        load(store, "T1", SOCIAL)
    with SocketModeServer() as slack, SlackApi(socket_mode_url=slack.url) as api:
        env = env_for(tmp_path, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=APP_TOKEN, SLACK_API_URL=api.url)
        process = start_serve(tmp_path, env)
        try:
            first = slack.next_connection()
            slack.push(first, "e1", "slash_commands", dict(parse_qsl(command_body("engagement 2026-W46"))))
            answer = slack.ack("e1")["payload"]
            assert answer["response_type"] == "in_channel"
            assert answer["blocks"][0]["text"]["text"].startswith("Engagement rate · Week 46, 2026")
            assert "*4.8%*" in answer["blocks"][1]["text"]["text"]
            slack.refresh(first)  # Slack asks for a new connection every few hours
            second = slack.next_connection()
            slack.push(second, "e2", "slash_commands", dict(parse_qsl(command_body("list"))))
            assert "KPI catalog" in json.dumps(slack.ack("e2")["payload"])
            opened = api.calls_to("apps.connections.open")
            assert len(opened) == 2 and {c.headers["authorization"] for c in opened} == {
                f"Bearer {APP_TOKEN}"
            }
        finally:
            process.terminate()
            output = process.communicate(timeout=20)[0]
    assert APP_TOKEN not in output and BOT_TOKEN not in output and "Traceback" not in output


@pytest.fixture
def served(tmp_path):
    with SlackApi() as api:
        port = free_port()
        env = env_for(
            tmp_path,
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_APP_TOKEN=APP_TOKEN,
            SLACK_API_URL=api.url,
            PORT=str(port),
        )
        process = start_serve(tmp_path, env, "--http", "--host", "127.0.0.1")
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                        assert r.status == 200
                        break
                except OSError:
                    if time.monotonic() > deadline or process.poll() is not None:
                        raise
                    time.sleep(0.1)
            yield port, api
        finally:
            process.terminate()
            output = process.communicate(timeout=20)[0]
    assert BOT_TOKEN not in output and SIGNING_SECRET not in output and APP_TOKEN not in output


def test_http_mode_answers_signed_commands(served):
    port, _ = served
    body = command_body("list")
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/slack/events",
        data=body.encode(),
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded", **sign(body)},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        assert b"KPI catalog" in response.read()
    forged = urllib.request.Request(
        f"http://127.0.0.1:{port}/slack/events",
        data=body.encode(),
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(forged, timeout=10)
    assert err.value.code == 401


def test_a_huge_retry_after_during_catch_up_never_holds_start_up(tmp_path):
    """A digest due at start, and Slack rate-limiting for an hour: /healthz answers at once, and the
    digest is recorded failed for a later retry."""
    from datetime import UTC, datetime, timedelta

    due = datetime.now(UTC) - timedelta(minutes=30)
    day = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[due.weekday()]
    with Store(tmp_path / "kpibot.db") as store:
        load(store, "T1", SOCIAL)
        store.subscribe(
            "T1", "C1", "weekly", [], day, due.strftime("%H:%M"), "UTC", "U1", now=due.isoformat()
        )
    with SlackApi() as api:
        api.fail("chat.postMessage", status=429, retry_after=3600)
        port = free_port()
        env = env_for(
            tmp_path,
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=api.url,
            PORT=str(port),
        )
        process = start_serve(tmp_path, env, "--http", "--host", "127.0.0.1", "--workers", "1")
        try:
            for _ in range(300):
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                        assert r.status == 200
                        break
                except OSError:
                    assert process.poll() is None
                    time.sleep(0.1)
            else:
                raise AssertionError("kpibot serve never answered /healthz")
            assert api.wait_for("chat.postMessage", 1, timeout=20)
            for _ in range(100):
                with Store(tmp_path / "kpibot.db") as store:
                    ledger = store.deliveries("T1")
                if ledger and ledger[0].status == "failed":
                    break
                time.sleep(0.1)
            assert (ledger[0].status, ledger[0].error) == ("failed", "ratelimited")
            assert len(api.calls_to("chat.postMessage")) == 1
        finally:
            process.terminate()
            process.communicate(timeout=20)

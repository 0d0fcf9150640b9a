"""Running `kpibot` as a user runs it, in a process of its own, for the tests that need a real one:
two processes at once, a clean environment, a language or a database set as a user sets them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .slack_api import BOT_TOKEN

ROOT = Path(__file__).resolve().parent.parent.parent


def cli_env(db: str | None = None, api_url: str | None = None, **variables: str) -> dict[str, str]:
    """A minimal environment: the checkout on the path, the database, and the Slack stand-in if any."""
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", **variables}
    if db:
        env["KPIBOT_DB"] = db
    if api_url:
        env.update({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": api_url})
    return env


def kpibot(
    *args: str, cwd: Path, env: dict[str, str], stdin: str | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args], input=stdin, env=env, cwd=cwd, capture_output=True,
        text=True, timeout=120,
    )  # fmt: skip


def kpibot_twice(*args: str, cwd: Path, env: dict[str, str]) -> list[str]:
    """The same command in two processes at the same moment; their outputs, sorted."""
    command = [sys.executable, "-m", "bot.cli", *args]
    processes = [
        subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.PIPE, text=True) for _ in range(2)
    ]
    return sorted(p.communicate(timeout=120)[0].strip() for p in processes)

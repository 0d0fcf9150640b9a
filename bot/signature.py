"""Slack's request signature, checked on the raw bytes before anything of the request is parsed.

Slack signs `v0:{timestamp}:{body}` with the app's signing secret (HMAC-SHA256) and a request is
genuine only when that signature matches, its timestamp is within five minutes of now, and the
same signature has not been seen before: a signed request captured in transit and sent again must
not act twice. Bolt's own check reads the timestamp with ``str.isdigit`` (which lets ``²`` through
to ``int()``) and parses the body first; this one runs first and accepts ASCII digits only.

Signatures seen are kept in a small SQLite file beside the database, shared by every HTTP worker
process, so a replay that lands on another worker is refused too.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

WINDOW_SECONDS = 300
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


def valid_signature(
    secret: str, timestamp: str, signature: str, body: bytes, now: float, window: int = WINDOW_SECONDS
) -> bool:
    """True when ``signature`` is Slack's for ``body`` at ``timestamp``, and that is recent."""
    if not secret or not _TIMESTAMP.fullmatch(timestamp) or not _SIGNATURE.fullmatch(signature):
        return False
    if abs(now - int(timestamp)) > window:
        return False
    expected = hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256)
    return hmac.compare_digest("v0=" + expected.hexdigest(), signature)


class ReplayGuard:
    """Remembers each accepted signature for the signature window; a second sighting is a replay."""

    def __init__(self, path: str | Path, clock: Callable[[], float] = time.time) -> None:
        self.path = str(path)
        self.clock = clock
        self._local = threading.local()
        self._purged = 0.0

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            if self.path != ":memory:" and not Path(self.path).exists():
                Path(self.path).touch(mode=0o600)
            conn = sqlite3.connect(self.path, timeout=5, isolation_level=None)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = OFF")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS signatures_seen (signature TEXT PRIMARY KEY, seen_at REAL NOT NULL)"
            )
            self._local.conn = conn
        return conn

    def first_sighting(self, signature: str) -> bool:
        """True the first time a signature is seen within the window, False for a replay."""
        now = self.clock()
        conn = self._conn()
        if now - self._purged > 60:
            self._purged = now
            conn.execute("DELETE FROM signatures_seen WHERE seen_at < ?", (now - 2 * WINDOW_SECONDS,))
        cur = conn.execute(
            "INSERT OR IGNORE INTO signatures_seen (signature, seen_at) VALUES (?, ?)", (signature, now)
        )
        return cur.rowcount == 1


def replay_path(db: str) -> str:
    """The replay ledger's file: beside the database, so each deployment has its own."""
    if db == ":memory:":
        return ":memory:"
    path = Path(db)
    return str(path.with_name(path.stem + ".requests.db"))

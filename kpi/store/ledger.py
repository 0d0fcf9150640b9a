"""The claim-before-post pattern shared by the digest and alert ledgers.

A row is written ('sending') before its message is posted, so at most one caller posts it. A
'failed' row (Slack said no) or an 'unconfirmed' one (no answer: it may have been posted) is claimed
again while it has attempts left; a row being sent or already sent never is. Table and column names
come from this package's own constants, never from input; every value is a parameter.
"""

from __future__ import annotations

from typing import Any

RETRYABLE = ("failed", "unconfirmed")


def claim(
    store: Any, table: str, key: dict[str, object], extra: dict[str, object], now: str, max_attempts: int
) -> str | None:
    """What the row was ('new', 'failed', 'unconfirmed') when this caller may post, else None."""
    where = " AND ".join(f"{column} = ?" for column in key)
    with store.atomic():
        row = store.conn.execute(
            f"SELECT status, attempts FROM {table} WHERE {where}", tuple(key.values())
        ).fetchone()
        if row is None:
            values = {
                **key,
                **extra,
                "status": "sending",
                "attempts": 1,
                "created_at": now,
                "updated_at": now,
            }
            store.conn.execute(
                f"INSERT INTO {table} ({', '.join(values)}) VALUES ({', '.join('?' for _ in values)})",
                tuple(values.values()),
            )
            return "new"
        status, attempts = row
        if status not in RETRYABLE or attempts >= max_attempts:
            return None
        store.conn.execute(
            f"UPDATE {table} SET status = 'sending', attempts = attempts + 1, updated_at = ? WHERE {where}",
            (now, *key.values()),
        )
        return status


def finish(
    store: Any,
    table: str,
    key: dict[str, object],
    *,
    status: str,
    now: str,
    error: str | None,
    ts: str | None,
) -> None:
    """How a claimed row ended: 'sent', 'failed' (not posted) or 'unconfirmed' (may have been)."""
    where = " AND ".join(f"{column} = ?" for column in key)
    with store.atomic():
        store.conn.execute(
            f"UPDATE {table} SET status = ?, error = ?, ts = ?, updated_at = ? WHERE {where}",
            (status, error, ts, now, *key.values()),
        )


def interrupt_stale(store: Any, table: str, older_than: str) -> int:
    """Rows left 'sending' by a process that stopped mid-post become unconfirmed: the next attempt
    looks for the message in the channel before posting it again. ``updated_at`` stays the time of
    that attempt, so a retry is not held back as if it had just been tried."""
    with store.atomic():
        cur = store.conn.execute(
            f"UPDATE {table} SET status = 'unconfirmed', "
            "error = 'interrupted while posting; checking the channel before posting again' "
            "WHERE status = 'sending' AND updated_at < ?",
            (older_than,),
        )
    return cur.rowcount

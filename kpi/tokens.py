"""The push API's bearer tokens: made once and shown once, kept as hashes, checked in constant time.

A token reads `kpi_<id>_<secret>`: the id finds its row (and so its team) without scanning, and
only the SHA-256 of the secret is stored, so a copy of the database cannot push. The secret is 256
random bits, which is why a fast hash (not a password hash) is the right one.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from .errors import InvalidCommand, NotFound
from .store import ApiToken, Store

_SHAPE = re.compile(r"kpi_([0-9a-f]{12})_([A-Za-z0-9_-]{43})")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def create_token(store: Store, team: str, name: str | None, *, now: str) -> tuple[str, ApiToken]:
    """A new token for ``team``: returns the token (to show once) and its record."""
    taken = store.token_names(team)
    if name is None:
        name = next(f"token-{n}" for n in range(1, len(taken) + 2) if f"token-{n}" not in taken)
    if not _NAME.fullmatch(name):
        raise InvalidCommand(
            f"`{name}` is not a token name: use letters, digits, `-`, `_` or `.` (at most 64)."
        )
    if name in taken:
        raise InvalidCommand(
            f"The team already has a token named `{name}`; revoke it first or pick another name."
        )
    token_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    record = ApiToken(token_id, team, name, _digest(secret), now, None)
    store.add_token(record)
    return f"kpi_{token_id}_{secret}", record


def team_of(store: Store, token: str, *, now: str) -> str | None:
    """The team a presented token belongs to, or None (malformed, unknown, revoked or wrong)."""
    found = _SHAPE.fullmatch(token.strip())
    if not found:
        return None
    record = store.token_by_id(found.group(1))
    if record is None or not hmac.compare_digest(record.hash, _digest(found.group(2))):
        return None
    store.token_used(record.team, record.id, now)
    return record.team


def revoke_token(store: Store, team: str, name: str) -> None:
    if not store.revoke_token(team, name):
        raise NotFound(f"The team has no token named `{name}`. `kpibot token list` shows them.")

"""Connecting a source, and one sync of it: the window from the saved state and the platform's
lookback, the rows written as an import writes them, and the outcome recorded for `kpibot sources`.

A sync reads from the day after the last one it completed, minus the days the platform still
revises, up to yesterday in the team's time zone; a re-read replaces values, so nothing doubles.
One sync of a source runs at a time across processes (a claim in the database).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from ..errors import InvalidCommand, KpiError, NotFound
from ..i18n import _
from ..periods import zone
from ..staging import Chunks, Staging
from ..store import Source, Store
from .base import Http, Pulled, RateLimited, SourceError, TokenExpired, Window
from .facebook import Facebook
from .ga4 import GA4
from .instagram import Instagram
from .linkedin import LinkedIn
from .meta_ads import MetaAds
from .pinterest import Pinterest
from .secrets import Vault
from .versions import GA4_URL, GRAPH_URL, LINKEDIN_URL, PINTEREST_URL

CONNECTORS = {"ga4": GA4, "facebook": Facebook, "instagram": Instagram, "meta_ads": MetaAds, "linkedin": LinkedIn,
              "pinterest": Pinterest}  # fmt: skip
ARGUMENTS = {"ga4": ("property", "credentials"), "facebook": ("page", "token"), "instagram": ("account", "token"),
             "meta_ads": ("account", "token"), "linkedin": ("organization", "token"), "pinterest": ("token",)}  # fmt: skip
FIRST_SYNC_DAYS = 90
CLAIM_MINUTES = 30


@dataclass
class Urls:
    """Where each platform's API is (KPIBOT_*_API_URL); tests point them at stand-ins."""

    ga4: str = GA4_URL
    graph: str = GRAPH_URL
    linkedin: str = LINKEDIN_URL
    pinterest: str = PINTEREST_URL

    def for_kind(self, kind: str) -> str:
        graph = {"facebook", "instagram", "meta_ads"}
        return (
            self.graph
            if kind in graph
            else {"ga4": self.ga4, "linkedin": self.linkedin, "pinterest": self.pinterest}[kind]
        )


@dataclass
class Outcome:
    source: Source
    status: str
    message: str
    rows: int = 0
    window: Window | None = None


def _connector(source_kind: str, config: dict[str, str], secret: str, urls: Urls, http: Http, tz: str):  # noqa: ANN202
    return CONNECTORS[source_kind](config, secret, urls.for_kind(source_kind), http, tz)


def connect(
    store: Store,
    team: str,
    kind: str,
    options: dict[str, str],
    vault: Vault,
    urls: Urls,
    *,
    now: datetime,
    by: str | None = None,
    http: Http | None = None,
) -> tuple[int, str]:
    """Check the credentials with one real call, then store the source; returns (id, what was found)."""
    if kind not in CONNECTORS:
        raise InvalidCommand(
            f"`{kind}` is not a source kpibot connects to. It connects: {', '.join(sorted(CONNECTORS))}."
        )
    missing = [a for a in ARGUMENTS[kind] if not options.get(a)]
    if missing:
        raise InvalidCommand(
            f"`kpibot connect {kind}` needs " + " and ".join(f"--{m}" for m in missing) + "."
        )
    if kind == "ga4":
        path = Path(options["credentials"])
        if not path.is_file():
            raise InvalidCommand(f"{path}: no such file (the service account's JSON key).")
        secret = path.read_text(encoding="utf-8")
        try:
            json.loads(secret)["token_uri"]
        except (ValueError, KeyError, TypeError):
            raise InvalidCommand(
                f"{path} is not a service account key file (JSON with a `token_uri`)."
            ) from None
        config = {"property": options["property"]}
    else:
        secret = options["token"]
        config = {a: options[a] for a in ARGUMENTS[kind] if a != "token"}
    sealed = vault.seal(secret)
    tz = store.settings(team).tz
    yesterday = now.astimezone(zone(tz)).date() - timedelta(days=1)
    found = _connector(kind, config, secret, urls, http or Http(), tz).check(yesterday)
    label = f"{kind} {next(iter(config.values()), '')}".strip()
    return store.add_source(team, kind, label, config, sealed, by, now=now.isoformat()), found


def sync(
    store: Store,
    source: Source,
    vault: Vault,
    urls: Urls,
    *,
    now: datetime,
    since: date | None = None,
    http_factory: Callable[[], Http] = Http,
) -> Outcome:
    """One sync of one source; never raises for the platform's failures, which become the outcome."""
    tz = store.settings(source.team).tz
    stamp = now.isoformat()
    until = (now + timedelta(minutes=CLAIM_MINUTES)).isoformat()
    if not store.claim_source(source.team, source.id, now=stamp, until=until):
        return Outcome(source, "busy", "another sync of this source is running")
    yesterday = now.astimezone(zone(tz)).date() - timedelta(days=1)
    state = dict(source.state)
    connector = _connector(source.kind, source.config, vault.open(source.secret), urls, http_factory(), tz)
    if since is not None:
        start = since
    elif "through" in state:
        start = date.fromisoformat(state["through"]) + timedelta(days=1 - connector.lookback_days)
    else:
        start = yesterday - timedelta(days=FIRST_SYNC_DAYS - 1)
    end = yesterday - timedelta(days=getattr(connector, "lag_days", 0))
    window = Window(start, end)
    try:
        pulled = Pulled() if start > end else connector.pull(window)
        written = write(store, source.team, pulled)
    except TokenExpired as exc:
        return _finish(store, source, stamp, "needs_reconnecting", str(exc), state, window)
    except RateLimited as exc:
        return _finish(store, source, stamp, "rate_limited", str(exc), state, window)
    except (SourceError, KpiError) as exc:
        return _finish(store, source, stamp, "failed", str(exc), state, window)
    state["through"] = pulled.state.get("through") or max(end.isoformat(), state.get("through", ""))
    latest = max((day for _, _, day, _ in pulled.rows), default=None)
    store.finish_sync(
        source.team,
        source.id,
        now=stamp,
        status="ok",
        state=state,
        error=None,
        latest_day=latest,
        skipped=pulled.skipped,
    )
    message = f"{written:,} value{'s' if written != 1 else ''} from {window.start.isoformat()} to {window.end.isoformat()}"
    return Outcome(source, "ok", message, written, window)


def _finish(
    store: Store, source: Source, stamp: str, status: str, message: str, state: dict, window: Window
) -> Outcome:
    store.finish_sync(
        source.team,
        source.id,
        now=stamp,
        status=status,
        state=state,
        error=message,
        latest_day=None,
        skipped=source.skipped,
    )
    return Outcome(source, status, message, 0, window)


def write(store: Store, team: str, pulled: Pulled) -> int:
    """The pulled rows, written as an import writes them: values replace by key, in short transactions."""
    if not pulled.rows:
        return 0
    with Staging(store) as staging:
        chunks = Chunks(staging)
        series: dict[tuple[str, tuple[tuple[str, str], ...]], int] = {}
        for metric, dims, day, value in pulled.rows:
            key = (metric, dims)
            sid = series.get(key)
            if sid is None:
                sid = series[key] = chunks.series(metric, dims)
            chunks.moment((sid, day, value))
        chunks.flush()
        staging.merge(store, team)
    return len(pulled.rows)


def disconnect(store: Store, team: str, source_id: int) -> None:
    if not store.remove_source(team, source_id):
        raise NotFound(f"The team has no source {source_id}. `kpibot sources` lists them.")


# A source's status in words, in the language spoken (`kpibot sources` and `/kpi sources`).
STATUS_WORDS = {
    "connected": lambda: _("connected, not synced yet"),
    "ok": lambda: _("up to date"),
    "needs_reconnecting": lambda: _("needs reconnecting"),
    "rate_limited": lambda: _("paused by the platform's rate limit; the next sync goes on"),
    "failed": lambda: _("the last sync failed"),
}


def status_words(status: str) -> str:
    return STATUS_WORDS[status]() if status in STATUS_WORDS else status


def describe(source: Source) -> list[str]:
    """`kpibot sources` and `/kpi sources`: in words, never a secret."""
    lines = [f"{source.id}. {source.label}: {status_words(source.status)}"]
    if source.last_sync_at:
        lines.append(
            f"   last sync {source.last_sync_at[:16].replace('T', ' ')}; data up to {source.latest_day or 'no data yet'}"
        )
    if source.last_error:
        lines.append(f"   last error: {source.last_error}")
    for skipped in source.skipped:
        lines.append(f"   skipped: {skipped}")
    return lines

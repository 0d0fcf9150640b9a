"""Posting digests: the ledger row first, then the message, then the chart in its thread.

One code path for the scheduler, `kpibot digest` and `/kpi report`. A digest is claimed in the
ledger before anything is posted, so each (team, channel, cadence, period) is posted at most once
whatever double triggers, retries, restarts or concurrent processes happen. A failure is recorded
with Slack's error and retried later; a channel the bot cannot post in is reported to the person
who subscribed it.
"""

from __future__ import annotations

import logging
import random
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from jinja2 import Environment
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler
from slack_sdk.http_retry.builtin_handlers import ServerErrorRetryHandler

from kpi import Digest, Engine, Period, Store, Subscription, build_digest, period_of_run, zone

from .config import Settings
from .digests import digest_message
from .templating import render_text

log = logging.getLogger("kpibot.digests")
CANNOT_POST = {"not_in_channel", "channel_not_found", "is_archived"}
CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,20}$")


@dataclass
class Outcome:
    team: str
    channel: str
    cadence: str
    period: str
    status: str
    error: str | None = None


MAX_RATE_LIMIT_WAIT = 30


class NoRepostRetryHandler(ConnectionErrorRetryHandler):
    """Retries a dropped connection, but never a chat.postMessage: the message may have been posted
    before the connection dropped, and deliver() looks for it rather than posting it twice."""

    def _can_retry(self, *, state: Any, request: Any, response: Any = None, error: Any = None) -> bool:
        if str(getattr(request, "url", "")).endswith("chat.postMessage"):
            return False
        return super()._can_retry(state=state, request=request, response=response, error=error)


class CappedRateLimitRetryHandler(RateLimitErrorRetryHandler):
    """Waits out a 429's Retry-After only when it is short: a rate limit of an hour fails the call at
    once (the digest is recorded failed and retried later), so no thread sleeps for it."""

    def __init__(self, max_retry_count: int = 3, max_wait: float = MAX_RATE_LIMIT_WAIT) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.max_wait = max_wait

    def _can_retry(self, *, state: Any, request: Any, response: Any = None, error: Any = None) -> bool:
        if response is None or response.status_code != 429:
            return False
        return _retry_after(response.headers) <= self.max_wait

    def prepare_for_next_attempt(
        self, *, state: Any, request: Any, response: Any = None, error: Any = None
    ) -> None:
        state.next_attempt_requested = True
        time.sleep(min(_retry_after(response.headers), self.max_wait) + random.random() / 4)
        state.increment_current_attempt()


def _retry_after(headers: dict[str, Any]) -> float:
    """Seconds from a Retry-After header (digits only; anything else counts as one second)."""
    values = next((v for k, v in headers.items() if k.lower() == "retry-after"), ["1"])
    text = str(values[0] if isinstance(values, list | tuple) else values).strip()
    return float(text) if text.isascii() and text.isdigit() and len(text) < 10 else 1.0


def web_client(settings: Settings) -> WebClient:
    """A WebClient on SLACK_API_URL that retries short rate limits (honouring Retry-After up to
    30 s), 5xx answers and dropped connections, a bounded number of times."""
    return WebClient(
        token=settings.bot_token,
        base_url=settings.api_url,
        timeout=15,
        retry_handlers=[
            NoRepostRetryHandler(max_retry_count=2),
            CappedRateLimitRetryHandler(max_retry_count=3),
            ServerErrorRetryHandler(max_retry_count=2),
        ],
    )


def _as_of(sub: Subscription, fired: datetime) -> tuple[Period, date]:
    """The period a run at ``fired`` reports on and the day it is, in the subscription's zone."""
    return period_of_run(sub.cadence, fired, sub.tz), fired.astimezone(zone(sub.tz)).date()


def build_for(
    store: Store, team: str, sub: Subscription, fired: datetime, default_language: str = "en"
) -> Digest:
    """The digest a subscription gets for a run at ``fired``, as of that day in its time zone, in the
    team's language (``default_language``, KPIBOT_LANGUAGE, when it has not chosen)."""
    period, today = _as_of(sub, fired)
    engine = Engine(store, team)
    language = engine.settings.language or default_language
    return build_digest(engine, sub.cadence, today, sub.kpis, period, language)


class DigestCache:
    """Channels of one team with the same KPIs get the same digest: built and drawn once.

    Keyed by everything the digest depends on: the period and day it is as of (not the run's hour
    or zone, so channels at 09:00 and 10:00 share), and the team's data version, settings, goals and
    definitions, so a write in between gives a fresh digest. Thread-safe; keeps the last 64.
    """

    def __init__(self, size: int = 64, default_language: str = "en") -> None:
        self.size = size
        self.default_language = default_language
        self.entries: OrderedDict[tuple, tuple[Digest, bytes | None]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, store: Store, team: str, sub: Subscription, fired: datetime) -> tuple[Digest, bytes | None]:
        period, today = _as_of(sub, fired)
        key = (store.path, team, sub.cadence, tuple(sub.kpis), period.code, today, store.fingerprint(team))
        with self.lock:
            found = self.entries.get(key)
        if found is None:
            from .chart import render_png

            digest = build_for(store, team, sub, fired, self.default_language)
            found = (digest, render_png(digest) if digest.answers else None)
            with self.lock:
                self.entries[key] = found
                while len(self.entries) > self.size:
                    self.entries.popitem(last=False)
        return found


METADATA_TYPE = "kpibot_digest"


def post(
    client: WebClient,
    digest: Digest,
    channel: str,
    env: Environment,
    png: bytes | None,
    key: dict[str, str] | None = None,
) -> str:
    """Post the digest and upload its chart into the message's thread; returns the message ts.
    ``key`` (team, channel, cadence, period) travels as the message's metadata, so a post whose
    answer was lost can be found in the channel instead of being posted twice."""
    metadata = {"event_type": METADATA_TYPE, "event_payload": key} if key else None
    response = client.chat_postMessage(channel=channel, metadata=metadata, **digest_message(digest, env))
    ts = response["ts"]
    if png:
        try:
            client.files_upload_v2(
                channel=channel,
                thread_ts=ts,
                file=png,
                filename=f"kpibot-{digest.period.code}.png",
                title=digest.title,
                alt_txt=f"Chart of {len(digest.answers[:6])} KPIs over the last periods",
                request_file_info=False,
            )
        except SlackApiError as exc:
            log.warning(
                "digest %s posted in %s but its chart failed: %s",
                digest.period.code,
                channel,
                exc.response.get("error"),
            )
    return ts


HISTORY_PAGES = 10


def find_posted(client: WebClient, key: dict[str, str], since: datetime) -> str | None:
    """The ts of the digest with this key among the channel's messages since ``since``, if any."""
    found = find_messages(client, key["channel"], since, METADATA_TYPE, lambda payload: payload == key)
    return found[0][0] if found else None


def find_messages(
    client: WebClient, channel: str, since: datetime, event_type: str, matches: Callable[[dict], bool]
) -> list[tuple[str, dict]]:
    """(ts, payload) of kpibot's messages of ``event_type`` whose metadata payload ``matches``, among the
    channel's messages since ``since``: up to ten pages of 200, following Slack's cursor, so a busy
    channel does not hide them."""
    cursor = None
    found = []
    for _ in range(HISTORY_PAGES):
        response = client.conversations_history(
            channel=channel,
            oldest=f"{since.timestamp():.6f}",
            limit=200,
            include_all_metadata=True,
            **({"cursor": cursor} if cursor else {}),
        )
        for message in response.get("messages") or []:
            metadata = message.get("metadata") or {}
            payload = metadata.get("event_payload")
            if metadata.get("event_type") == event_type and isinstance(payload, dict) and matches(payload):
                found.append((str(message.get("ts")), payload))
        cursor = (response.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return found
    if found:
        return found
    raise RuntimeError(f"more than {HISTORY_PAGES * 200} messages since the message was due")


def deliver(
    client: WebClient,
    store: Store,
    team: str,
    sub: Subscription,
    fired: datetime,
    env: Environment,
    cache: DigestCache | None = None,
    *,
    now: datetime,
) -> Outcome:
    """Post a subscription's digest for the run at ``fired`` exactly once (``now``: the caller's clock).

    Slack saying no (an error answer) means not posted: 'failed', retried later. No answer at all (a
    timeout, a dropped connection, a process stopped mid-post) may mean posted: 'unconfirmed', and
    the next attempt first looks for the message's metadata in the channel's recent history."""
    period = period_of_run(sub.cadence, fired, sub.tz).code
    stamp = now.isoformat(timespec="seconds")
    claim = store.claim_delivery(team, sub.channel, sub.cadence, period, stamp)
    if claim is None:
        return Outcome(team, sub.channel, sub.cadence, period, "skipped")
    key = {"team": team, "channel": sub.channel, "cadence": sub.cadence, "period": period}

    def finish(status: str, error: str | None = None, ts: str | None = None) -> Outcome:
        store.finish_delivery(
            team, sub.channel, sub.cadence, period, status=status, now=stamp, error=error, ts=ts
        )
        if status != "sent":
            log.warning(
                "%s digest %s for %s/%s %s: %s", sub.cadence, period, team, sub.channel, status, error
            )
        return Outcome(team, sub.channel, sub.cadence, period, status, error)

    if claim == "unconfirmed":
        try:
            found = find_posted(client, key, fired - timedelta(minutes=10))
        except SlackApiError as exc:
            error = exc.response.get("error")
            return finish(
                "unconfirmed", f"could not read the channel's history ({error}) to check it was posted"
            )
        except Exception as exc:
            return finish("unconfirmed", f"could not read the channel's history ({type(exc).__name__})")
        if found:
            return finish("sent", ts=found)
    try:
        digest, png = (cache or DigestCache()).get(store, team, sub, fired)
    except Exception as exc:
        log.exception("%s digest %s for %s/%s could not be built", sub.cadence, period, team, sub.channel)
        return finish("failed", type(exc).__name__)
    try:
        ts = post(client, digest, sub.channel, env, png, key)
    except SlackApiError as exc:
        error = str(exc.response.get("error") or exc)
        if error in CANNOT_POST:
            _tell_subscriber(client, sub, error)
        return finish("failed", error)
    except Exception as exc:  # no answer: it may be in the channel
        return finish(
            "unconfirmed", f"no answer from Slack ({type(exc).__name__}); checking before posting again"
        )
    return finish("sent", ts=ts)


def _tell_subscriber(client: WebClient, sub: Subscription, error: str) -> None:
    """The person who subscribed hears why nothing arrived, and what to do."""
    if not sub.created_by or not sub.created_by.startswith(("U", "W")):
        return
    where = f"<#{sub.channel}>" if CHANNEL_ID.match(sub.channel) else "its channel"
    if error == "is_archived":
        what = f"{where} is archived. Subscribe another channel with `/kpi subscribe {sub.cadence}`."
    else:
        what = (
            f"I'm not a member of {where}. Invite me there with `/invite @kpibot`; I'll try again at my next "
            f"start, or run `/kpi report {sub.cadence}` in the channel."
        )
    try:
        client.chat_postMessage(
            channel=sub.created_by, text=f"I couldn't post the {sub.cadence} digest: {what}"
        )
    except SlackApiError as exc:
        log.warning(
            "could not tell %s about the failed digest: %s", sub.created_by, exc.response.get("error")
        )


def preview(
    store: Store,
    team: str,
    sub: Subscription,
    fired: datetime,
    env: Environment,
    out: Path,
    cache: DigestCache | None = None,
) -> tuple[str, Path | None]:
    """The digest as text and its chart written to a file: what `kpibot digest --dry-run` shows."""
    digest, png = (cache or DigestCache()).get(store, team, sub, fired)
    path = None
    if png:
        path = out / f"digest-{team}-{sub.channel}-{digest.period.code}.png"
        path.write_bytes(png)
    return render_text(digest, env), path

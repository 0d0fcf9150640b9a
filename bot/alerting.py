"""Checking alerts and posting them: one message per channel per check, each firing exactly once.

One code path for the scheduler (a check within a minute of new data, and the daily check at
KPIBOT_ALERTS_AT in each team's zone), the checks right after a write in this process, and
`kpibot alerts check`. Firings are claimed in the ledger (kpi/alerts/check.py) before the message
is posted; a message with no answer is looked for in the channel (its metadata names its firings)
before it is posted again, as the digests do.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from kpi import Store, alert_checks, today_in, zone

from .alert_message import METADATA_TYPE, alert_message, alert_plain
from .config import Settings
from .delivery import CANNOT_POST, CHANNEL_ID, find_messages
from .templating import environment

log = logging.getLogger("kpibot.alerts")
USER_ID = re.compile(r"^[UW][A-Z0-9]{1,20}$")
STALE_SENDING = timedelta(minutes=15)
RETRY_EVERY = timedelta(minutes=15)


@dataclass
class Posted:
    team: str
    channel: str
    alerts: int
    status: str
    error: str | None = None


class AlertService:
    """What a check needs: settings, a Web API client (None for dry runs) and a clock."""

    def __init__(
        self, settings: Settings, client: WebClient | None, clock: Callable[[], datetime] | None = None
    ) -> None:
        self.settings = settings
        self.client = client
        self.clock = clock or (lambda: datetime.now(UTC))
        self.env = environment(settings.templates)
        self._after_writes = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kpibot-alerts")

    def store(self) -> Store:
        return Store(self.settings.db, default_tz=self.settings.tz)

    def check(self, team: str, at: datetime | None = None, *, daily: bool = False) -> list[Posted]:
        """Judge the team's alerts as of ``at`` (default now), claim what fired and post it."""
        now = at or self.clock()
        with self.store() as store:
            found = alert_checks.find(store, team, now, self.settings.language)
            pending = alert_checks.claim(store, team, found, now)
            posted = [
                self._post(store, team, channel, items, now, found.language)
                for channel, items in pending.items()
            ]
            day = today_in(store.settings(team).tz, now).isoformat() if daily else None
            store.mark_alerts_checked(team, found.version, day)
        return posted

    def preview(self, team: str, at: datetime | None = None) -> dict[str, str]:
        """What a check would post per channel, as text; claims and posts nothing."""
        now = at or self.clock()
        with self.store() as store:
            found = alert_checks.find(store, team, now, self.settings.language)
            due = alert_checks.unsent(store, team, found)
        return {channel: alert_plain(findings, self.env, found.language) for channel, findings in due.items()}

    def teams(self) -> list[str]:
        with self.store() as store:
            return store.alert_teams()

    def run_due(self) -> list[Posted]:
        """The scheduler's minute: teams whose data changed since their last check, and teams whose
        daily check time has come today (in their zone) and not yet run; also retries failures."""
        now = self.clock()
        posted: list[Posted] = []
        with self.store() as store:
            store.interrupt_stale_firings(alert_checks.stamp(now - STALE_SENDING))
            due = []
            for team in store.alert_teams():
                version, daily = store.last_alert_check(team)
                local = now.astimezone(zone(store.settings(team).tz))
                daily_due = local.time() >= self.settings.alerts_at and daily != local.date().isoformat()
                if daily_due or version != store.data_version_of(team) or self._retry_due(store, team, now):
                    due.append((team, daily_due))
        for team, daily_due in due:
            try:
                posted += self.check(team, now, daily=daily_due)
            except Exception:
                log.exception("alert check for %s failed", team)
        return posted

    @staticmethod
    def _retry_due(store: Store, team: str, now: datetime) -> bool:
        """A failed or unconfirmed firing waiting 15 minutes since its last try (as digests wait for
        their catch-up), within the retry window and its attempts."""
        since = alert_checks.stamp(now - alert_checks.RETRY_WINDOW)
        waiting = store.firings(team, ("failed", "unconfirmed"), since)
        ready = alert_checks.stamp(now - RETRY_EVERY)
        return any(f.updated_at <= ready and f.attempts < alert_checks.MAX_ATTEMPTS for f in waiting)

    def after_write(self, team: str) -> None:
        """New data landed in this process: check the team's alerts in the background, one check at
        a time, so the request that wrote never waits on Slack."""
        self._after_writes.submit(self._check_quietly, team)

    def _check_quietly(self, team: str) -> None:
        try:
            with self.store() as store:
                if not store.alerts(team):
                    return
            for outcome in self.check(team):
                log.info("alerts for %s/%s: %d %s", team, outcome.channel, outcome.alerts, outcome.status)
        except Exception:
            log.exception("alert check after a write for %s failed", team)

    def _post(
        self, store: Store, team: str, channel: str, items: list, now: datetime, language: str
    ) -> Posted:
        stamp = alert_checks.stamp(now)

        def finish(batch: list, status: str, error: str | None = None, ts: str | None = None) -> None:
            for item in batch:
                store.finish_firing(team, item.firing, status=status, now=stamp, error=error, ts=ts)

        if self.client is None:
            finish(items, "failed", "no Slack token to post with")
            return Posted(team, channel, len(items), "failed", "no Slack token")
        unsure = [p for p in items if p.claim == "unconfirmed"]
        if unsure:
            try:
                found = self._already_posted(channel, unsure, now)
            except Exception as exc:  # cannot tell: try again later rather than risk a double post
                error = f"could not read the channel's history ({_reason(exc)}) to check it was posted"
                finish(items, "unconfirmed", error)
                return Posted(team, channel, len(items), "unconfirmed", error)
            for item in unsure:
                if item.firing.id in found:
                    finish([item], "sent", ts=found[item.firing.id])
            items = [p for p in items if p.firing.id not in found]
            if not items:
                return Posted(team, channel, 0, "sent")
        ids = ",".join(str(p.firing.id) for p in items)
        metadata = {
            "event_type": METADATA_TYPE,
            "event_payload": {"team": team, "channel": channel, "firings": ids},
        }
        try:
            response = self.client.chat_postMessage(
                channel=channel,
                metadata=metadata,
                **alert_message([p.finding for p in items], self.env, language),
            )
        except SlackApiError as exc:
            error = str(exc.response.get("error") or exc)
            finish(items, "failed", error)
            if error in CANNOT_POST and any(p.claim == "new" for p in items):
                self._tell_setters(store, team, channel, error)
            return Posted(team, channel, len(items), "failed", error)
        except Exception as exc:  # no answer: it may be in the channel
            error = f"no answer from Slack ({type(exc).__name__}); checking before posting again"
            finish(items, "unconfirmed", error)
            return Posted(team, channel, len(items), "unconfirmed", error)
        finish(items, "sent", ts=response.get("ts"))
        return Posted(team, channel, len(items), "sent")

    def _tell_setters(self, store: Store, team: str, channel: str, error: str) -> None:
        """Whoever set the channel's alerts hears why nothing arrived, once per new firing."""
        assert self.client is not None
        where = f"<#{channel}>" if CHANNEL_ID.match(channel) else "its channel"
        fix = (
            "it is archived"
            if error == "is_archived"
            else "I'm not a member there: invite me with `/invite @kpibot`"
        )
        for user in sorted(
            {a.created_by for a in store.alerts(team) if a.channel == channel and a.created_by}
        ):
            if not USER_ID.match(user):
                continue
            try:
                self.client.chat_postMessage(
                    channel=user, text=f"An alert fired but I couldn't post it in {where}: {fix}. I'll retry."
                )
            except SlackApiError as exc:
                log.warning("could not tell %s about an alert: %s", user, exc.response.get("error"))

    def _already_posted(self, channel: str, unsure: list, now: datetime) -> dict[int, str]:
        """Which of these firings are already in a message of the channel (firing id -> its ts),
        looking back over the retry window."""
        assert self.client is not None
        wanted = {p.firing.id for p in unsure}
        found: dict[int, str] = {}
        since = now - alert_checks.RETRY_WINDOW
        for ts, payload in find_messages(self.client, channel, since, METADATA_TYPE, lambda _: True):
            ids = {int(x) for x in str(payload.get("firings", "")).split(",") if x.isdigit()}
            found.update({i: ts for i in ids & wanted})
        return found


def _reason(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error"))
    return type(exc).__name__

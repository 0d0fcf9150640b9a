"""The scheduler of `kpibot serve`, one per deployment: digests, alert checks and source syncs.

Jobs are rebuilt from the subscriptions table at start-up and kept in step with it every minute,
not kept in APScheduler's SQLAlchemy job store: the table is already the truth (subscriptions change
in the HTTP worker processes, which a job store in this process would not see), and a persistent job
store brings two traps of APScheduler 3 (a missed run dropped by a 1-second misfire grace, or by
re-adding the job with replace_existing at start-up). Missed runs are caught up from our own
ledger instead: at start-up each subscription's latest scheduled run is posted if it is recent
enough (24 hours for weekly digests, 72 for quarterly) and not in the ledger, and failed digests
of the last week are retried. Alerts need no jobs of their own per alert: one job a minute checks
the teams whose data changed or whose daily check is due (bot/alerting.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from slack_sdk import WebClient

from kpi import Store, Subscription, last_run, period_of_run, zone

from . import source_sync
from .alerting import AlertService
from .config import Settings
from .delivery import DigestCache, Outcome, deliver
from .templating import environment

log = logging.getLogger("kpibot.scheduler")
GRACE = {"weekly": timedelta(hours=24), "quarterly": timedelta(hours=72)}
RETRY_WINDOW = timedelta(days=7)
STALE_SENDING = timedelta(minutes=15)


def cron_trigger(sub: Subscription) -> CronTrigger:
    """Day names, not numbers: APScheduler 3 counts day_of_week from Monday = 0, unlike cron."""
    hour, minute = (int(x) for x in sub.time.split(":"))
    tz = zone(sub.tz)
    if sub.cadence == "weekly":
        return CronTrigger(day_of_week=sub.day, hour=hour, minute=minute, timezone=tz)
    return CronTrigger(month="1,4,7,10", day=f"1st {sub.day}", hour=hour, minute=minute, timezone=tz)


def job_id(team: str, sub: Subscription) -> str:
    return f"digest:{team}:{sub.channel}:{sub.cadence}"


class DigestService:
    """What the jobs need: settings, a Web API client and a clock (tests pass a fixed one)."""

    def __init__(
        self, settings: Settings, client: WebClient, clock: Callable[[], datetime] | None = None
    ) -> None:
        self.settings = settings
        self.client = client
        self.clock = clock or (lambda: datetime.now(UTC))
        self.env = environment(settings.templates)
        self.cache = DigestCache(default_language=settings.language)
        self.synced: tuple[object, list[tuple[str, Subscription]]] | None = None

    def store(self) -> Store:
        return Store(self.settings.db, default_tz=self.settings.tz)

    def run(self, team: str, channel: str, cadence: str, at: datetime | None = None) -> Outcome | None:
        """Post one subscription's digest for its latest scheduled run at or before ``at``."""
        at = at or self.clock()
        with self.store() as store:
            sub = next((s for _, s in store.subscriptions(team, channel) if s.cadence == cadence), None)
            if sub is None:
                return None
            fired = last_run(sub.cadence, sub.day, sub.time, sub.tz, at)
            return deliver(self.client, store, team, sub, fired, self.env, self.cache, now=self.clock())

    def catch_up(self) -> list[Outcome]:
        """Runs missed while kpibot was down (within the grace window) and recent failures, once."""
        now = self.clock()
        outcomes = []
        with self.store() as store:
            store.interrupt_stale_deliveries((now - STALE_SENDING).isoformat(timespec="seconds"))
            for team, sub in store.subscriptions():
                fired = last_run(sub.cadence, sub.day, sub.time, sub.tz, now)
                period = period_of_run(sub.cadence, fired, sub.tz).code
                ledger = [
                    d
                    for d in store.deliveries(team, sub.channel)
                    if d.cadence == sub.cadence and d.period == period
                ]
                missed = not ledger and now - fired <= GRACE[sub.cadence]
                failed = bool(ledger) and ledger[0].status in ("failed", "unconfirmed")
                if missed or (failed and now - fired <= RETRY_WINDOW):
                    outcomes.append(
                        deliver(self.client, store, team, sub, fired, self.env, self.cache, now=now)
                    )
        return outcomes


def run_digest_job(service: DigestService, team: str, channel: str, cadence: str) -> None:
    """The scheduled job: module-level, as APScheduler wants its jobs."""
    outcome = service.run(team, channel, cadence)
    if outcome:
        log.info("%s digest %s for %s/%s: %s", cadence, outcome.period, team, channel, outcome.status)


def sync_jobs(scheduler: BackgroundScheduler, service: DigestService) -> None:
    """Make the scheduler's jobs match the subscriptions table (added, changed, removed).

    Runs every minute; when the table has not changed since the last sync it stops after the read
    (rebuilding 500 triggers took 80 ms of a core each minute)."""
    with service.store() as store:
        rows = store.subscriptions()
    if service.synced == (scheduler, rows):
        return
    service.synced = (scheduler, rows)
    wanted = {job_id(team, sub): (team, sub) for team, sub in rows}
    for job in scheduler.get_jobs():
        if job.id.startswith("digest:") and job.id not in wanted:
            job.remove()
    for jid, (team, sub) in wanted.items():
        trigger = cron_trigger(sub)
        job = scheduler.get_job(jid)
        if job is None:
            scheduler.add_job(
                run_digest_job,
                trigger,
                id=jid,
                args=[service, team, sub.channel, sub.cadence],
                name=f"{sub.cadence} digest for {sub.channel}",
            )
        elif str(job.trigger) != str(trigger):
            job.reschedule(trigger)


def start(settings: Settings, client: WebClient) -> BackgroundScheduler:
    """Catch up, then schedule every subscription and keep the jobs in step with the table."""
    service = DigestService(settings, client)
    scheduler = BackgroundScheduler(
        timezone=UTC,
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": int(GRACE["weekly"].total_seconds()),
        },
    )
    sync_jobs(scheduler, service)
    scheduler.add_job(sync_jobs, "interval", minutes=1, id="sync", args=[scheduler, service])
    # Catching up runs in the scheduler's thread, now and every 15 minutes: start-up and the HTTP
    # path never wait on a delivery, and a digest that failed (a long rate limit, Slack down) is
    # retried while it is recent, each period once at most thanks to the ledger.
    scheduler.add_job(
        catch_up_job, "interval", minutes=15, id="catch_up", args=[service], next_run_time=service.clock()
    )
    # Alerts: every minute, the teams whose data changed since their last check (whichever process
    # wrote it: an import, a sync, a push) and those whose daily check time has come.
    alerts = AlertService(settings, client, service.clock)
    scheduler.add_job(
        alerts_job, "interval", minutes=1, id="alerts", args=[alerts], next_run_time=service.clock()
    )
    # Connected sources: each checked every 15 minutes, synced when due (daily, failed ones hourly),
    # then their new data's alerts checked at once.
    scheduler.add_job(sources_job, "interval", minutes=15, id="sources", args=[settings, client, alerts])
    scheduler.start()
    return scheduler


def alerts_job(alerts: AlertService) -> None:
    for outcome in alerts.run_due():
        log.info("alerts for %s/%s: %d %s", outcome.team, outcome.channel, outcome.alerts, outcome.status)


def sources_job(settings: Settings, client: WebClient, alerts: AlertService) -> None:
    if source_sync.run_due(settings, client):
        alerts_job(alerts)


def catch_up_job(service: DigestService) -> None:
    for outcome in service.catch_up():
        log.info(
            "caught up %s digest %s for %s/%s: %s",
            outcome.cadence,
            outcome.period,
            outcome.team,
            outcome.channel,
            outcome.status,
        )

"""One check of a team's alerts: what fired, claimed in the ledger before anything is posted.

The scheduler, the checks after new data and `kpibot alerts check` all run these. ``find`` judges
every awake alert; ``claim`` writes each finding's ledger row (a finding already sent, or being sent
by another process, is not claimed) and picks up earlier firings that failed, so the caller posts
exactly what it claimed, one message per channel.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ..engine import Engine
from ..i18n import speaking
from ..periods import today_in
from ..store import Firing, Store
from .judge import Finding, judge

RETRY_WINDOW = timedelta(days=7)
MAX_ATTEMPTS = 5


@dataclass
class Found:
    findings: list[Finding]
    states: dict[int, dict[str, str]]
    version: int
    language: str = "en"


@dataclass
class Pending:
    """A claimed firing: ``claim`` is 'new', 'failed' or 'unconfirmed' (then it may already be in the
    channel, and the poster looks for it first)."""

    firing: Firing
    finding: Finding
    claim: str


def stamp(now: datetime) -> str:
    """UTC ISO text: what the ledger and snoozes store, so comparing texts compares moments."""
    return now.astimezone(UTC).isoformat(timespec="seconds")


def awake(alert_snoozed_until: str | None, now: datetime) -> bool:
    return not alert_snoozed_until or alert_snoozed_until <= stamp(now)


def find(store: Store, team: str, now: datetime, default_language: str = "en") -> Found:
    """Every awake alert of the team judged as of ``now`` (complete periods in the team's zone),
    its words in the team's language (``default_language`` when it has not chosen)."""
    engine = Engine(store, team)
    language = engine.settings.language or default_language
    with speaking(language):
        found = _find(store, team, engine, now)
    found.language = language
    return found


def _find(store: Store, team: str, engine: Engine, now: datetime) -> Found:
    version = store.data_version_of(team)
    today = today_in(engine.settings.tz, now)
    findings: list[Finding] = []
    states: dict[int, dict[str, str]] = {}
    latest = store.metric_latest(team)
    for alert in store.alerts(team):
        if not awake(alert.snoozed_until, now):
            continue
        found, state = judge(engine, alert, today, store.alert_state(team, alert.id), latest)
        findings += found
        if state:
            states[alert.id] = state
    return Found(findings, states, version)


def claim(store: Store, team: str, found: Found, now: datetime) -> dict[str, list[Pending]]:
    """Claim what ``find`` found and the recent failures, per channel; then remember goal statuses
    (after the claims, so a crash in between cannot lose a change of status)."""
    now_text = stamp(now)
    pending: dict[str, list[Pending]] = {}
    taken: set[tuple[int, str]] = set()
    for finding in found.findings:
        how = store.claim_firing(
            team, finding.alert_id, finding.key, finding.channel, finding.to_json(), now_text, MAX_ATTEMPTS
        )
        firing = store.firing(team, finding.alert_id, finding.key)
        if how and firing:
            pending.setdefault(finding.channel, []).append(
                Pending(firing, Finding.from_json(firing.detail), how)
            )
            taken.add((finding.alert_id, finding.key))
    for alert_id, state in found.states.items():
        store.set_alert_state(team, alert_id, state)
    alerts = {a.id: a for a in store.alerts(team)}
    for firing in store.firings(team, ("failed", "unconfirmed"), stamp(now - RETRY_WINDOW)):
        alert = alerts.get(firing.alert_id)
        if (firing.alert_id, firing.period) in taken or alert is None or not awake(alert.snoozed_until, now):
            continue
        how = store.claim_firing(
            team, firing.alert_id, firing.period, firing.channel, firing.detail, now_text, MAX_ATTEMPTS
        )
        if how:
            pending.setdefault(firing.channel, []).append(
                Pending(firing, Finding.from_json(firing.detail), how)
            )
    return pending


def unsent(store: Store, team: str, found: Found) -> dict[str, list[Finding]]:
    """What a check would post, per channel, without claiming anything: for `--dry-run`."""
    out: dict[str, list[Finding]] = {}
    for finding in found.findings:
        firing = store.firing(team, finding.alert_id, finding.key)
        if firing is None or (firing.status in ("failed", "unconfirmed") and firing.attempts < MAX_ATTEMPTS):
            out.setdefault(finding.channel, []).append(finding)
    return out

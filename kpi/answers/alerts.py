"""`/kpi alert ...`, `/kpi alerts`: alerts set in chat, listed with when each last fired."""

from __future__ import annotations

from datetime import UTC, timedelta

from ..alerts import grammar as g
from ..alerts.check import MAX_ATTEMPTS, awake
from ..alerts.judge import judge, threshold_text
from ..catalog import Kpi
from ..engine import Engine
from ..errors import InvalidCommand, InvalidTarget, NotFound, UnknownKpi
from ..names import humanise
from ..periods import zone
from ..reply import Reply, Table
from ..store import Alert, Firing
from .context import Context, today_for

MAX_ALERTS = 200
_WHEN = {"daily": "each day", "weekly": "each week", "monthly": "each month"}


def describe(alert: Alert, kpi: Kpi | None, currency: str) -> str:
    """An alert in words, as `/kpi alerts` and the confirmation show it."""
    if alert.kind == "goals":
        return "any goal changes status"
    if alert.kind == "stale":
        days = int(alert.amount or 0)
        return f"a metric or source has no new data for {days} day{'s' if days != 1 else ''}"
    name = humanise(kpi.name) if kpi else f"{alert.kpi} (retired)"
    scope = "".join(f" ({d}: {v})" for d, v in alert.filters.items())
    when = _WHEN[alert.cadence]
    if alert.kind == "anomaly":
        season = (
            "the same weekday of the 8 weeks before" if alert.cadence == "daily" else "the 12 weeks before"
        )
        return f"{name}{scope} is unusual {when}, against {season}"
    if alert.kind in ("above", "below"):
        line = threshold_text(alert.amount or 0.0, kpi, currency) if kpi else f"{alert.amount:g}"
        return f"{name}{scope} is {alert.kind} {line} {when}"
    points = alert.unit == "pp" or (alert.unit == "" and kpi is not None and kpi.unit == "percent")
    size = f"{alert.amount:g} pp" if points else f"{alert.amount:g}%"
    verb = "drops" if alert.kind == "drops" else "rises"
    return f"{name}{scope} {verb} more than {size} {when}, vs the period before"


def set_alert(command: g.SetAlert, engine: Engine, ctx: Context) -> Reply:
    if not ctx.channel:
        raise InvalidCommand(
            "Alerts post in the channel where they are set: run `/kpi alert` in that channel."
        )
    store = engine.store
    if len(store.alerts(ctx.team)) >= MAX_ALERTS:
        raise InvalidCommand(
            f"This workspace has {MAX_ALERTS} alerts, the most kpibot keeps. Remove some first."
        )
    kpi, amount, unit = None, command.amount, command.unit
    if command.kpi:
        kpi = engine.catalog.resolve(command.kpi)
        engine.check_slice(command.filters, None)
        if command.target is not None:
            amount = _threshold(command.target, kpi)
        if unit == "pp" and kpi.unit != "percent":
            raise InvalidCommand(
                f"`{kpi.name}` is a {kpi.unit}, so its change is a percentage (`20%`), not points."
            )
    same = next((a for a in store.alerts(ctx.team) if _same(a, ctx.channel, command, kpi, amount)), None)
    if same is not None:
        return Reply(
            f"Alert #{same.id} already watches that here",
            [describe(same, kpi, engine.settings.currency)],
            notes=["`/kpi alerts` lists them."],
            kind="alert_set",
        )
    alert = store.add_alert(
        ctx.team, ctx.channel, command.kind, kpi.name if kpi else None, amount, unit, command.cadence,
        command.filters, ctx.user, now=ctx.stamp,
    )  # fmt: skip
    if alert.kind == "goals":
        # What the goals are now is the baseline: the alert tells of changes from here on.
        _, state = judge(engine, alert, today_for(engine, ctx), {})
        store.set_alert_state(ctx.team, alert.id, state)
    return Reply(
        f"Alert #{alert.id} set for this channel",
        [f"I'll post here when {describe(alert, kpi, engine.settings.currency)}."],
        notes=[
            "Checked after new data lands and every morning, on complete periods only. "
            f"`/kpi alerts` lists them; `/kpi alert remove {alert.id}` stops this one."
        ],
        public=True,
        kind="alert_set",
        actor=ctx.user,
        data=alert,
    )


def _threshold(target: g.Target, kpi: Kpi) -> float:
    """The line in the KPI's own scale: percents are stored as fractions (2% -> 0.02)."""
    if kpi.unit == "percent":
        return target.number / 100
    if target.percent:
        raise InvalidTarget(
            f"`{kpi.name}` is a {kpi.unit}, so its threshold is a number, not a percentage (`{target.text}`)."
        )
    return target.number


def _same(alert: Alert, channel: str, command: g.SetAlert, kpi: Kpi | None, amount: float | None) -> bool:
    return (alert.channel, alert.kind, alert.kpi, alert.amount, alert.unit, alert.cadence, alert.filters) == (
        channel, command.kind, kpi.name if kpi else None, amount, command.unit, command.cadence, command.filters,
    )  # fmt: skip


def list_alerts(command: g.ListAlerts, engine: Engine, ctx: Context) -> Reply:
    store = engine.store
    alerts = store.alerts(ctx.team)
    if not alerts:
        return Reply(
            "No alerts yet",
            [
                "Set one in a channel, e.g. `/kpi alert engagement anomaly` or `/kpi alert leads drops 20% weekly`."
            ],
            kind="alerts",
        )
    last = store.last_firings(ctx.team)
    currency = engine.settings.currency
    rows = []
    for alert in alerts:
        try:
            kpi = engine.catalog.resolve(alert.kpi) if alert.kpi else None
        except UnknownKpi:
            kpi = None
        state = "active"
        if not awake(alert.snoozed_until, ctx.now):
            state = f"snoozed until {alert.snoozed_until[:10]}"
        rows.append(
            [
                f"#{alert.id}",
                f"#{alert.channel}",
                describe(alert, kpi, currency),
                _last(last.get(alert.id)),
                state,
            ]
        )
    return Reply(
        "Alerts",
        table=Table(["#", "channel", "fires when", "last fired", "state"], rows),
        notes=["`/kpi alert remove <id>` removes one; the Snooze button on an alert quiets it for 7 days."],
        kind="alerts",
        data=alerts,
    )


def _last(firing: Firing | None) -> str:
    if firing is None:
        return "never"
    when = firing.updated_at[:16].replace("T", " ")
    if firing.status == "sent":
        return f"{firing.period} · {when} UTC"
    if firing.status in ("failed", "unconfirmed"):
        retry = "retrying" if firing.attempts < MAX_ATTEMPTS else "gave up"
        return f"{firing.period} {firing.status}, {retry} ({firing.attempts} tries): {firing.error or ''}".strip()
    return f"{firing.period} being posted"


def remove_alert(command: g.RemoveAlert, engine: Engine, ctx: Context) -> Reply:
    if not engine.store.remove_alert(ctx.team, command.alert_id):
        raise NotFound(f"There is no alert #{command.alert_id}. `/kpi alerts` lists them and their numbers.")
    return Reply(f"Alert #{command.alert_id} removed", public=True, kind="alert_removed", actor=ctx.user)


def snooze_alert(command: g.SnoozeAlert, engine: Engine, ctx: Context) -> Reply:
    until = (ctx.now + timedelta(days=command.days)).astimezone(UTC)
    if not engine.store.snooze_alert(ctx.team, command.alert_id, until.isoformat(timespec="seconds")):
        raise NotFound(f"There is no alert #{command.alert_id}. `/kpi alerts` lists them and their numbers.")
    local = until.astimezone(zone(engine.settings.tz))
    return Reply(
        f"Alert #{command.alert_id} snoozed for {command.days} days",
        [f"Quiet until {local.strftime('%a %b %-d %H:%M')} ({engine.settings.tz}); it wakes by itself."],
        public=True,
        kind="alert_snoozed",
        actor=ctx.user,
    )

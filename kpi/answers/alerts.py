"""`/kpi alert ...`, `/kpi alerts`: alerts set in chat, listed with when each last fired."""

from __future__ import annotations

from datetime import UTC, timedelta

from .. import format as fmt
from ..alerts import grammar as g
from ..alerts.check import MAX_ATTEMPTS, awake
from ..alerts.judge import judge, threshold_text
from ..catalog import Kpi
from ..engine import Engine
from ..errors import InvalidCommand, InvalidTarget, NotFound, UnknownKpi
from ..i18n import _, language
from ..names import kpi_title
from ..periods import zone
from ..reply import Reply, Table
from ..store import Alert, Firing
from .context import Context, today_for

MAX_ALERTS = 200
_WHEN = {
    "daily": lambda: _("each day"),
    "weekly": lambda: _("each week"),
    "monthly": lambda: _("each month"),
}


def describe(alert: Alert, kpi: Kpi | None, currency: str) -> str:
    """An alert in words, as `/kpi alerts` and the confirmation show it."""
    if alert.kind == "goals":
        return _("any goal changes status")
    if alert.kind == "stale":
        days = int(alert.amount or 0)
        if days == 1:
            return _("a metric or source has no new data for 1 day")
        return _("a metric or source has no new data for {days} days").format(days=days)
    name = kpi_title(kpi.name) if kpi else _("{name} (retired)").format(name=alert.kpi)
    scope = "".join(f" ({d}: {v})" for d, v in alert.filters.items())
    words = {"name": name + scope, "when": _WHEN[alert.cadence]()}
    if alert.kind == "anomaly":
        if alert.cadence == "daily":
            return _("{name} is unusual {when}, against the same weekday of the 8 weeks before").format(
                **words
            )
        return _("{name} is unusual {when}, against the 12 weeks before").format(**words)
    if alert.kind in ("above", "below"):
        line = threshold_text(alert.amount or 0.0, kpi, currency) if kpi else f"{alert.amount:g}"
        text = (
            _("{name} is above {line} {when}")
            if alert.kind == "above"
            else _("{name} is below {line} {when}")
        )
        return text.format(line=line, **words)
    points = alert.unit == "pp" or (alert.unit == "" and kpi is not None and kpi.unit == "percent")
    size = fmt.size(alert.amount or 0.0, "points" if points else "percent")
    if alert.kind == "drops":
        return _("{name} drops more than {size} {when}, vs the period before").format(size=size, **words)
    return _("{name} rises more than {size} {when}, vs the period before").format(size=size, **words)


def set_alert(command: g.SetAlert, engine: Engine, ctx: Context) -> Reply:
    if not ctx.channel:
        raise InvalidCommand(
            _("Alerts post in the channel where they are set: run `/kpi alert` in that channel.")
        )
    store = engine.store
    if len(store.alerts(ctx.team)) >= MAX_ALERTS:
        raise InvalidCommand(
            _("This workspace has {count} alerts, the most kpibot keeps. Remove some first.").format(
                count=MAX_ALERTS
            )
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
            _("Alert #{id} already watches that here").format(id=same.id),
            [describe(same, kpi, engine.settings.currency)],
            notes=[_("`/kpi alerts` lists them.")],
            kind="alert_set",
        )
    alert = store.add_alert(
        ctx.team, ctx.channel, command.kind, kpi.name if kpi else None, amount, unit, command.cadence,
        command.filters, ctx.user, now=ctx.stamp,
    )  # fmt: skip
    if alert.kind == "goals":
        # What the goals are now is the baseline: the alert tells of changes from here on.
        _found, state = judge(engine, alert, today_for(engine, ctx), {})
        store.set_alert_state(ctx.team, alert.id, state)
    return Reply(
        _("Alert #{id} set for this channel").format(id=alert.id),
        [_("I'll post here when {what}.").format(what=describe(alert, kpi, engine.settings.currency))],
        notes=[
            _(
                "Checked after new data lands and every morning, on complete periods only. "
                "`/kpi alerts` lists them; `/kpi alert remove {id}` stops this one."
            ).format(id=alert.id)
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
            _("`{kpi}` is a {unit}, so its threshold is a number, not a percentage (`{typed}`).").format(
                kpi=kpi.name, unit=kpi.unit, typed=target.text
            )
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
            _("No alerts yet"),
            [
                _(
                    "Set one in a channel, e.g. `/kpi alert engagement anomaly` or `/kpi alert leads drops 20% weekly`."
                )
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
        state = _("active")
        if not awake(alert.snoozed_until, ctx.now):
            state = _("snoozed until {day}").format(day=(alert.snoozed_until or "")[:10])
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
        _("Alerts"),
        table=Table(["#", _("channel"), _("fires when"), _("last fired"), _("state")], rows),
        notes=[
            _("`/kpi alert remove <id>` removes one; the Snooze button on an alert quiets it for 7 days.")
        ],
        kind="alerts",
        data=alerts,
    )


def _last(firing: Firing | None) -> str:
    if firing is None:
        return _("never")
    when = firing.updated_at[:16].replace("T", " ")
    if firing.status == "sent":
        return f"{firing.period} · {when} UTC"
    if firing.status in ("failed", "unconfirmed"):
        status = _("failed") if firing.status == "failed" else _("unconfirmed")
        retry = _("retrying") if firing.attempts < MAX_ATTEMPTS else _("gave up")
        text = _("{period} {status}, {retry} ({count} tries): {error}").format(
            period=firing.period, status=status, retry=retry, count=firing.attempts, error=firing.error or ""
        )
        return text.strip()
    return _("{period} being posted").format(period=firing.period)


def remove_alert(command: g.RemoveAlert, engine: Engine, ctx: Context) -> Reply:
    if not engine.store.remove_alert(ctx.team, command.alert_id):
        raise NotFound(_NO_SUCH().format(id=command.alert_id))
    return Reply(
        _("Alert #{id} removed").format(id=command.alert_id),
        public=True,
        kind="alert_removed",
        actor=ctx.user,
    )


def _NO_SUCH() -> str:  # noqa: N802 - a message, named as one
    return _("There is no alert #{id}. `/kpi alerts` lists them and their numbers.")


def snooze_alert(command: g.SnoozeAlert, engine: Engine, ctx: Context) -> Reply:
    until = (ctx.now + timedelta(days=command.days)).astimezone(UTC)
    if not engine.store.snooze_alert(ctx.team, command.alert_id, until.isoformat(timespec="seconds")):
        raise NotFound(_NO_SUCH().format(id=command.alert_id))
    local = until.astimezone(zone(engine.settings.tz))
    moment = (
        local.strftime("%a %b %-d %H:%M") if language() == "en" else f"{fmt.day(local.date())} {local:%H:%M}"
    )
    return Reply(
        _("Alert #{id} snoozed for {days} days").format(id=command.alert_id, days=command.days),
        [_("Quiet until {moment} ({tz}); it wakes by itself.").format(moment=moment, tz=engine.settings.tz)],
        public=True,
        kind="alert_snoozed",
        actor=ctx.user,
    )

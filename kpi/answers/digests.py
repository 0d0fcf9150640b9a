"""`/kpi subscribe`, `/kpi unsubscribe`, `/kpi subscriptions`, `/kpi report`: the digests."""

from __future__ import annotations

from .. import commands as c
from ..digest import build_digest
from ..engine import Engine
from ..errors import InvalidCommand, NotFound
from ..i18n import _
from ..periods import parse_period, zone
from ..reply import Reply, Table
from ..schedule import next_run
from .context import Context, language_for, today_for

DAY_NAMES = {
    "mon": lambda: _("Monday"),
    "tue": lambda: _("Tuesday"),
    "wed": lambda: _("Wednesday"),
    "thu": lambda: _("Thursday"),
    "fri": lambda: _("Friday"),
    "sat": lambda: _("Saturday"),
    "sun": lambda: _("Sunday"),
}


def schedule_words(cadence: str, day: str, time: str, tz: str) -> str:
    words = {"day": DAY_NAMES[day](), "time": time, "tz": tz}
    if cadence == "weekly":
        return _("every {day} at {time} ({tz})").format(**words)
    return _("on the first {day} of each quarter at {time} ({tz})").format(**words)


def _digest_name(cadence: str) -> str:
    return _("Weekly digest") if cadence == "weekly" else _("Quarterly digest")


def subscribe(command: c.Subscribe, engine: Engine, ctx: Context) -> Reply:
    if not ctx.channel:
        raise InvalidCommand(
            _("Digests go to a channel: run `/kpi subscribe` in the channel that should get them.")
        )
    kpis = [engine.catalog.resolve(k).name for k in command.kpis]
    tz = command.tz or engine.settings.tz
    zone(tz)
    sub, replaced = engine.store.subscribe(
        ctx.team, ctx.channel, command.cadence, kpis, command.day, command.time, tz, ctx.user, now=ctx.stamp
    )
    what = ", ".join(kpis) if kpis else _("the team's goal KPIs and the headline KPIs")
    title = _("{digest} updated for this channel") if replaced else _("{digest} on for this channel")
    return Reply(
        title.format(digest=_digest_name(command.cadence)),
        [
            _("Posted {when}: {what}.").format(
                when=schedule_words(sub.cadence, sub.day, sub.time, sub.tz), what=what
            )
        ],
        notes=[
            _("`/kpi subscriptions` lists them; `/kpi unsubscribe {cadence}` stops it.").format(
                cadence=command.cadence
            )
        ],
        public=True,
        kind="subscribed",
        actor=ctx.user,
        data=sub,
    )


def unsubscribe(command: c.Unsubscribe, engine: Engine, ctx: Context) -> Reply:
    if not ctx.channel or not engine.store.unsubscribe(ctx.team, ctx.channel, command.cadence):
        raise NotFound(
            _("This channel has no {cadence} digest. `/kpi subscriptions` lists them.").format(
                cadence=command.cadence
            )
        )
    return Reply(
        _("{digest} stopped for this channel").format(digest=_digest_name(command.cadence)),
        public=True,
        kind="unsubscribed",
        actor=ctx.user,
    )


def list_subscriptions(command: c.ListSubscriptions, engine: Engine, ctx: Context) -> Reply:
    subs = engine.store.subscriptions(ctx.team)
    if not subs:
        return Reply(
            _("No digests yet"),
            [_('Start one in a channel with `/kpi subscribe weekly at "mon 09:00"`.')],
            kind="subscriptions",
        )
    rows = []
    for _team, s in subs:
        upcoming = next_run(s.cadence, s.day, s.time, s.tz, ctx.now).astimezone(zone(s.tz))
        last = next((d for d in engine.store.deliveries(ctx.team, s.channel) if d.cadence == s.cadence), None)
        if last is None:
            delivered = _("none yet")
        elif last.status == "sent":
            delivered = _("{period} sent {when} UTC").format(
                period=last.period, when=last.updated_at[:16].replace("T", " ")
            )
        else:
            delivered = _("{period} {status} ({count} attempts): {error}").format(
                period=last.period,
                status=last.status,
                count=last.attempts,
                error=last.error or _("in progress"),
            )
        rows.append(
            [
                f"#{s.channel}",
                s.cadence,
                ", ".join(s.kpis) or _("default"),
                upcoming.strftime("%a %b %-d %H:%M ") + s.tz,
                delivered,
            ]
        )
    return Reply(
        _("Digest subscriptions"),
        table=Table([_("channel"), _("digest"), _("KPIs"), _("next run"), _("last delivery")], rows),
        notes=[
            _("A failed digest is retried at the next start of kpibot; `/kpi report weekly` posts one now.")
        ],
        kind="subscriptions",
        data=[s for _, s in subs],
    )


def report(command: c.Report, engine: Engine, ctx: Context) -> Reply:
    """The digest, now: with this channel's subscribed KPIs if it has that subscription. Surfaces
    render ``data`` (a Digest) with the digest templates."""
    today = today_for(engine, ctx)
    subscribed = [
        s for _, s in engine.store.subscriptions(ctx.team, ctx.channel) if s.cadence == command.cadence
    ]
    kpis = subscribed[0].kpis if subscribed and ctx.channel else []
    period = parse_period(command.period, today) if command.period else None
    digest = build_digest(engine, command.cadence, today, kpis, period, language_for(engine, ctx))
    return Reply(
        digest.title,
        [_("{count} KPIs").format(count=len(digest.answers))],
        public=True,
        kind="digest",
        data=digest,
    )

"""`/kpi subscribe`, `/kpi unsubscribe`, `/kpi subscriptions`, `/kpi report`: the digests."""

from __future__ import annotations

from .. import commands as c
from ..digest import build_digest
from ..engine import Engine
from ..errors import InvalidCommand, NotFound
from ..periods import parse_period, zone
from ..reply import Reply, Table
from ..schedule import next_run
from .context import Context, language_for, today_for

DAY_NAMES = {
    "mon": "Monday",
    "tue": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}


def schedule_words(cadence: str, day: str, time: str, tz: str) -> str:
    if cadence == "weekly":
        return f"every {DAY_NAMES[day]} at {time} ({tz})"
    return f"on the first {DAY_NAMES[day]} of each quarter at {time} ({tz})"


def subscribe(command: c.Subscribe, engine: Engine, ctx: Context) -> Reply:
    if not ctx.channel:
        raise InvalidCommand(
            "Digests go to a channel: run `/kpi subscribe` in the channel that should get them."
        )
    kpis = [engine.catalog.resolve(k).name for k in command.kpis]
    tz = command.tz or engine.settings.tz
    zone(tz)
    sub, replaced = engine.store.subscribe(
        ctx.team, ctx.channel, command.cadence, kpis, command.day, command.time, tz, ctx.user, now=ctx.stamp
    )
    what = ", ".join(kpis) if kpis else "the team's goal KPIs and the headline KPIs"
    verb = "updated" if replaced else "on"
    return Reply(
        f"{command.cadence.capitalize()} digest {verb} for this channel",
        [f"Posted {schedule_words(sub.cadence, sub.day, sub.time, sub.tz)}: {what}."],
        notes=["`/kpi subscriptions` lists them; `/kpi unsubscribe " + command.cadence + "` stops it."],
        public=True,
        kind="subscribed",
        actor=ctx.user,
        data=sub,
    )


def unsubscribe(command: c.Unsubscribe, engine: Engine, ctx: Context) -> Reply:
    if not ctx.channel or not engine.store.unsubscribe(ctx.team, ctx.channel, command.cadence):
        raise NotFound(f"This channel has no {command.cadence} digest. `/kpi subscriptions` lists them.")
    return Reply(
        f"{command.cadence.capitalize()} digest stopped for this channel",
        public=True,
        kind="unsubscribed",
        actor=ctx.user,
    )


def list_subscriptions(command: c.ListSubscriptions, engine: Engine, ctx: Context) -> Reply:
    subs = engine.store.subscriptions(ctx.team)
    if not subs:
        return Reply(
            "No digests yet",
            ['Start one in a channel with `/kpi subscribe weekly at "mon 09:00"`.'],
            kind="subscriptions",
        )
    rows = []
    for _, s in subs:
        upcoming = next_run(s.cadence, s.day, s.time, s.tz, ctx.now).astimezone(zone(s.tz))
        last = next((d for d in engine.store.deliveries(ctx.team, s.channel) if d.cadence == s.cadence), None)
        if last is None:
            delivered = "none yet"
        elif last.status == "sent":
            delivered = f"{last.period} sent {last.updated_at[:16].replace('T', ' ')} UTC"
        else:
            delivered = (
                f"{last.period} {last.status} ({last.attempts} attempts): {last.error or 'in progress'}"
            )
        rows.append(
            [
                f"#{s.channel}",
                s.cadence,
                ", ".join(s.kpis) or "default",
                upcoming.strftime("%a %b %-d %H:%M ") + s.tz,
                delivered,
            ]
        )
    return Reply(
        "Digest subscriptions",
        table=Table(["channel", "digest", "KPIs", "next run", "last delivery"], rows),
        notes=["A failed digest is retried at the next start of kpibot; `/kpi report weekly` posts one now."],
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
    return Reply(digest.title, [f"{len(digest.answers)} KPIs"], public=True, kind="digest", data=digest)

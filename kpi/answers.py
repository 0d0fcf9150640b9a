"""Commands executed against the store: every `/kpi` command becomes a ``Reply``.

``answer(text, ctx)`` is the single entry point of every surface. Mutating commands check the
admins list first; every read and write names ``ctx.team``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from . import commands as c
from . import format as fmt
from . import goals as goal_math
from .catalog import ALIASES, Catalog, Kpi
from .digest import build_digest
from .engine import Engine
from .errors import InvalidCommand, InvalidTarget, NotAllowed, NotFound, UnknownKpi
from .limits import calendar_problem, in_calendar
from .names import humanise
from .periods import PERIOD_EXAMPLES, Period, parse_period, today_in, zone
from .query import KpiAnswer, compute_kpi
from .reply import Action, Reply, Table
from .schedule import next_run
from .store import Definition, Goal, Store
from .writer import record

MAX_ROWS = 15


@dataclass
class Context:
    """Who asks, where, and when. ``now`` is an aware datetime from the caller's clock."""

    store: Store
    team: str
    now: datetime
    user: str | None = None
    channel: str | None = None
    admins: frozenset[str] = frozenset()

    @property
    def is_admin(self) -> bool:
        return not self.admins or (self.user is not None and self.user in self.admins)


def answer(text: str | c.Command, ctx: Context) -> Reply:
    """Parse and run one `/kpi` command for ``ctx.team`` (a button passes its command ready-made)."""
    command = c.parse(text) if isinstance(text, str) else text
    if c.is_mutating(command) and not ctx.is_admin:
        raise NotAllowed(
            "Only this workspace's kpibot admins can change goals, subscriptions, KPI definitions, settings "
            "and data. Ask one of them, or ask your Slack admin to add you to KPIBOT_ADMINS."
        )
    engine = Engine(ctx.store, ctx.team)
    handler = _HANDLERS[type(command)]
    return handler(command, engine, ctx)


def today_for(engine: Engine, ctx: Context) -> date:
    return today_in(engine.settings.tz, ctx.now)


# -- KPI answers ---------------------------------------------------------------------------------


def kpi_reply(a: KpiAnswer) -> Reply:
    kpi, period = a.kpi, a.period
    scope = "".join(f" · {dim}: {value}" for dim, value in a.filters.items())
    title = f"{humanise(kpi.name)} · {period.label}{scope}"
    previous = period.previous()
    tone = a.tone() if a.value.ok else None
    headline = a.show(a.value)
    if a.value.ok:
        headline += f"   {fmt.arrow(a.value.number, a.previous.number, kpi.unit)} {a.change(a.previous)} vs {previous.label}"
        if tone in ("good", "bad") and a.previous.ok:
            headline += f" ({tone})"
    lines = [headline]
    fields = [(f"Previous {period.kind_word}", a.show(a.previous))]
    if a.year_ago is not None:
        ya = period.year_ago()
        fields.append((f"Year before ({ya.label})", f"{a.show(a.year_ago)} ({a.change(a.year_ago)})"))
    values = [v.number for _, v in a.trend]
    first = next((v for v in a.trend if v[1].ok), None)
    trend_text = fmt.sparkline(values)
    if first is not None:
        trend_text += (
            f"  {first[0].short_label} {a.show(first[1])} → {a.trend[-1][0].short_label} {a.show(a.value)}"
        )
    fields.append(
        (f"Trend, last 8 {period.unit}s" if period.count == 1 else "Trend, last 8 periods", trend_text)
    )
    for status in a.goals:
        fields.append(("Goal", goal_line(status, a.currency)))
    table = None
    if a.by:
        rows = [
            [b.group, a.show(b.value), fmt.change(b.value.number, b.previous.number, kpi.unit)]
            for b in a.breakdown
        ]
        table = Table(
            [a.by, humanise(kpi.name), "vs previous"],
            rows[:MAX_ROWS],
            max(0, len(rows) - MAX_ROWS),
            [False, True, True],
        )
    notes = [period_note(period, a.tz, a.latest)]
    if a.value.missing == "n/a":
        notes.append("n/a: the denominator of the formula is zero in this period.")
    actions = []
    dims = sorted(a.dimensions - {a.by} - set(a.filters), key=lambda d: (d != "network", d != "region", d))
    if dims and not a.by:
        actions.append(_run(f"By {dims[0]}", c.KpiQuery(kpi.name, period.code, dims[0], a.filters)))
    actions.append(_run("Previous period", c.KpiQuery(kpi.name, previous.code, a.by, a.filters)))
    actions.append(Action("Set goal", "goal_modal", kpi.name, "primary"))
    return Reply(
        title,
        lines,
        fields,
        table,
        notes,
        actions,
        public=True,
        kind="kpi",
        tone=tone,
        data=a,
        emphasis=a.show(a.value),
    )


def _run(label: str, query: c.KpiQuery) -> Action:
    return Action(label, "run", c.query_text(query), query=query)


def period_note(period: Period, tz: str, latest: str | None) -> str:
    span = f"{period.start.isoformat()} to {period.end.isoformat()}"
    fresh = f"data through {date.fromisoformat(latest).strftime('%b %-d, %Y')}" if latest else "no data yet"
    return f"{span} · {tz} · {fresh}"


def goal_line(s: goal_math.GoalStatus, currency: str) -> str:
    unit = s.kpi.unit
    target = fmt.value(s.goal.target, unit, currency)
    if s.current.ok:
        current = fmt.value(s.current.number, unit, currency)
        text = f"{s.emoji} {s.status}: {current} of {target} {cadence_words(s.goal)}"
    else:
        # The first day of a month has no data for it yet: say so, not "no data of 3.0%".
        when = f" this {s.goal.cadence}" if s.goal.cadence != "date" else ""
        text = f"{s.emoji} {s.status}: no data yet{when}, target {target} {cadence_words(s.goal)}"
    if s.forecast is not None and s.status not in ("met", "missed"):
        text += f", forecast {fmt.value(s.forecast, unit, currency)}"
    if s.needed_per_day is not None and s.status in ("at risk", "off track"):
        text += f", needs {fmt.value(s.needed_per_day, unit, currency)}/day"
    return text


def cadence_words(goal: Goal) -> str:
    if goal.cadence == "date":
        return f"by {goal.deadline}"
    return f"per {goal.cadence}"


def _kpi(command: c.KpiQuery, engine: Engine, ctx: Context) -> Reply:
    kpi = engine.catalog.resolve(command.kpi)
    today = today_for(engine, ctx)
    period = parse_period(command.period, today)
    return kpi_reply(compute_kpi(engine, kpi, period, today, command.filters, command.by))


# -- help and catalog ------------------------------------------------------------------------------


HELP_TOPICS = {
    "goal": ("Goals", ["goal", "goal remove"], "`/kpi goals` lists every goal with its status and number."),
    "record": (
        "Recording a data point",
        ["record"],
        "A value for an existing day and dimensions replaces it.",
    ),
    "subscribe": ("Digests", ["subscribe", "unsubscribe", "report"], "`/kpi subscriptions` lists them."),
    "report": ("Digests", ["report", "subscribe"], "`/kpi report weekly` posts this week's digest now."),
    "define": ("KPIs of your own", ["define", "undefine"], "`/kpi list` shows every KPI and its formula."),
    "set": ("Settings", ["set"], "`/kpi settings` shows the current ones."),
    "kpi": ("Asking for a KPI", ["kpi"], "Periods: " + PERIOD_EXAMPLES + ". Default: last week."),
}
HELP_ALIASES = {
    "goals": "goal",
    "subscriptions": "subscribe",
    "unsubscribe": "subscribe",
    "digest": "report",
    "undefine": "define",
    "settings": "set",
    "periods": "kpi",
    "period": "kpi",
}


def _help(command: c.Help, engine: Engine, ctx: Context) -> Reply:
    topic = HELP_ALIASES.get(command.topic or "", command.topic)
    if topic in HELP_TOPICS:
        title, forms, note = HELP_TOPICS[topic]
        return Reply(
            f"kpibot help: {title}", [f"`{c.USAGE[form]}`" for form in forms], notes=[note], kind="help"
        )
    examples = [
        ("/kpi engagement", "engagement rate of last week, with trend and goal"),
        ("/kpi engagement last quarter by network", "one row per network, best first"),
        ("/kpi reach this month network:instagram region:fr", "filtered by dimensions"),
        ("/kpi list", "every KPI you can ask for"),
        ("/kpi goal engagement 4.5% per month", "set a goal; /kpi goals shows them all"),
        ("/kpi record followers 12500 network:linkedin", "store one data point"),
        ('/kpi subscribe weekly engagement,reach at "mon 09:00"', "weekly digest in this channel"),
        ("/kpi report weekly", "the digest, now"),
        ("/kpi define save_rate = sum(saves) / sum(impressions) as percent", "a KPI of your own"),
    ]
    lines = [f"`{cmd}`  {what}" for cmd, what in examples]
    notes = [f"There is no help on `{command.topic}`; here is all of it."] if command.topic else []
    notes += [
        "Periods: today, yesterday, this/last week|month|quarter|year, ytd, last N days|weeks|months, "
        "2026-W46, 2026-11, 2026-Q3, 2026, 2026-11-01..2026-11-15. Default: last week.",
        "Also: /kpi goal remove <id>, /kpi unsubscribe weekly, /kpi subscriptions, /kpi undefine <name>, "
        "/kpi settings, /kpi set timezone|currency|hourly_rate <value>.",
        "`/kpi help goal` (or record, subscribe, report, define, set, kpi) shows one command in full.",
    ]
    return Reply("kpibot: your KPIs in chat", lines, notes=notes, kind="help")


def _list(command: c.ListKpis, engine: Engine, ctx: Context) -> Reply:
    catalog = engine.catalog
    rows = []
    for name in catalog.names():
        kpi = catalog.kpis[name]
        flags = [kpi.unit]
        if kpi.lower_is_better:
            flags.append("lower is better")
        if not kpi.builtin:
            flags.append("team")
        rows.append([name, kpi.formula, ", ".join(flags)])
    aliases = ", ".join(f"{a} → {t}" for a, t in ALIASES.items() if t in catalog.kpis)
    notes = [f"Aliases: {aliases}"]
    if catalog.metrics:
        listed = ", ".join(f"`{k.name}` ({k.formula})" for k in catalog.metrics.values())
        notes.append(f"Metrics in your data, which you can ask for by name too: {listed}.")
    return Reply(
        "KPI catalog",
        [f"{len(rows)} KPIs. Ask for one with `/kpi <name> [period]`."],
        table=Table(["KPI", "formula", "unit"], rows),
        notes=notes,
        kind="list",
    )


# -- goals ---------------------------------------------------------------------------------------


def _set_goal(command: c.SetGoal, engine: Engine, ctx: Context) -> Reply:
    kpi = engine.catalog.resolve(command.kpi)
    engine.check_slice(command.filters, None)
    today = today_for(engine, ctx)
    target = goal_target(command.target, kpi)
    if command.deadline:
        try:
            deadline = date.fromisoformat(command.deadline)
        except ValueError:
            raise InvalidCommand(f"`{command.deadline}` is not a date.\nUsage: `{c.USAGE['goal']}`") from None
        if deadline < today:
            raise InvalidTarget(f"The deadline {command.deadline} has passed; pick a date from today on.")
        if not in_calendar(deadline):
            raise InvalidTarget(calendar_problem(command.deadline) + "; pick an earlier deadline.")
    goal, replaced = engine.store.set_goal(
        ctx.team,
        kpi.name,
        target,
        command.cadence,
        command.deadline,
        today.isoformat(),
        command.filters,
        ctx.user,
    )
    status = goal_math.evaluate(engine, goal, kpi, today)
    scope = "".join(f" · {d}: {v}" for d, v in goal.filters.items())
    verb = "replaced" if replaced else "set"
    target_text = fmt.value(target, kpi.unit, engine.settings.currency)
    return Reply(
        f"Goal #{goal.id} {verb}: {humanise(kpi.name)} {target_text} {cadence_words(goal)}{scope}",
        [f"Now: {goal_line(status, engine.settings.currency)}"],
        notes=["`/kpi goals` shows every goal with its status."],
        actions=[
            Action("Edit", "goal_modal", kpi.name),
            Action(f"Remove #{goal.id}", "remove_goal", str(goal.id), "danger"),
        ],
        public=True,
        kind="goal_set",
        actor=ctx.user,
        data=status,
    )


def goal_target(target: c.Target, kpi: Kpi) -> float:
    """The target in the KPI's own scale: percents are stored as fractions (4.5% -> 0.045)."""
    if kpi.unit == "percent":
        return target.number / 100
    if target.percent:
        raise InvalidTarget(
            f"`{kpi.name}` is a {kpi.unit}, so its target is a number, not a percentage (`{target.text}`)."
        )
    return target.number


def goal_statuses(engine: Engine, today: date) -> list[tuple[Goal, goal_math.GoalStatus | None]]:
    out = []
    for goal in engine.store.goals(engine.team):
        try:
            kpi = engine.catalog.resolve(goal.kpi)
        except UnknownKpi:
            out.append((goal, None))
            continue
        out.append((goal, goal_math.evaluate(engine, goal, kpi, today)))
    return out


def _goals(command: c.ListGoals, engine: Engine, ctx: Context) -> Reply:
    today = today_for(engine, ctx)
    statuses = goal_statuses(engine, today)
    if not statuses:
        return Reply(
            "No goals yet",
            ["Set one with `/kpi goal engagement 4.5% per month`."],
            actions=[Action("Set goal", "goal_modal", "")],
            kind="goals",
        )
    currency = engine.settings.currency
    rows, actions = [], []
    for goal, s in statuses:
        scope = "".join(f" {d}:{v}" for d, v in goal.filters.items())
        if s is None:
            rows.append([f"#{goal.id}", goal.kpi + scope, "—", "—", "—", "KPI retired"])
            continue
        unit = s.kpi.unit
        progress = f"{s.progress * 100:.0f}%" if s.progress is not None else "—"
        rows.append(
            [
                f"#{goal.id}",
                f"{s.kpi.name}{scope}",
                f"{fmt.value(goal.target, unit, currency)} {cadence_words(goal)}",
                fmt.value(s.current.number, unit, currency, missing=s.current.missing or "no data"),
                progress,
                f"{s.emoji} {s.status}",
            ]
        )
        actions.append(Action(f"Edit #{goal.id}", "goal_modal", s.kpi.name))
        actions.append(Action(f"Remove #{goal.id}", "remove_goal", str(goal.id), "danger"))
    counts: dict[str, int] = {}
    for _, s in statuses:
        key = s.status if s else "retired"
        counts[key] = counts.get(key, 0) + 1
    summary = ", ".join(f"{n} {status}" for status, n in counts.items())
    return Reply(
        f"Goals · {today.strftime('%b %-d, %Y')}",
        [summary],
        table=Table(
            ["#", "KPI", "target", "so far", "progress", "status"],
            rows,
            numeric=[False, False, True, True, True, False],
        ),
        notes=[
            "Status compares a forecast to the period's end with the target: on track, at risk (within 10%), off track."
        ],
        actions=actions,
        kind="goals",
        data=statuses,
    )


def _remove_goal(command: c.RemoveGoal, engine: Engine, ctx: Context) -> Reply:
    goal = engine.store.goal(ctx.team, command.goal_id)
    if goal is None or not engine.store.remove_goal(ctx.team, command.goal_id):
        raise NotFound(
            f"There is no goal #{command.goal_id}. `/kpi goals` lists the goals and their numbers."
        )
    return Reply(
        f"Goal #{goal.id} removed",
        [f"{goal.kpi} {cadence_words(goal)} is no longer tracked."],
        public=True,
        kind="goal_removed",
        actor=ctx.user,
    )


# -- data ----------------------------------------------------------------------------------------


def _record(command: c.Record, engine: Engine, ctx: Context) -> Reply:
    today = today_for(engine, ctx)
    if command.day:
        try:
            day = date.fromisoformat(command.day)
        except ValueError:
            raise InvalidCommand(f"`{command.day}` is not a date.\nUsage: `{c.USAGE['record']}`") from None
    else:
        day = today
    if day > today:
        raise InvalidCommand(f"{day.isoformat()} is in the future; record values for today or earlier.")
    if not in_calendar(day):
        raise InvalidCommand(calendar_problem(day.isoformat()) + ".")
    replaced = record(engine.store, ctx.team, command.metric, day, command.value, command.dims)
    scope = "".join(f" · {d}: {v}" for d, v in command.dims.items())
    note = "Replaced the value recorded before." if replaced else "New data point."
    return Reply(
        f"Recorded {command.metric} = {command.value:,g} for {day.isoformat()}{scope}",
        [note],
        kind="recorded",
        actor=ctx.user,
    )


# -- subscriptions ----------------------------------------------------------------------------------


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


def _subscribe(command: c.Subscribe, engine: Engine, ctx: Context) -> Reply:
    if not ctx.channel:
        raise InvalidCommand(
            "Digests go to a channel: run `/kpi subscribe` in the channel that should get them."
        )
    kpis = [engine.catalog.resolve(k).name for k in command.kpis]
    tz = command.tz or engine.settings.tz
    zone(tz)
    sub, replaced = engine.store.subscribe(
        ctx.team, ctx.channel, command.cadence, kpis, command.day, command.time, tz, ctx.user
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


def _unsubscribe(command: c.Unsubscribe, engine: Engine, ctx: Context) -> Reply:
    if not ctx.channel or not engine.store.unsubscribe(ctx.team, ctx.channel, command.cadence):
        raise NotFound(f"This channel has no {command.cadence} digest. `/kpi subscriptions` lists them.")
    return Reply(
        f"{command.cadence.capitalize()} digest stopped for this channel",
        public=True,
        kind="unsubscribed",
        actor=ctx.user,
    )


def _subscriptions(command: c.ListSubscriptions, engine: Engine, ctx: Context) -> Reply:
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


def _report(command: c.Report, engine: Engine, ctx: Context) -> Reply:
    """The digest, now: with this channel's subscribed KPIs if it has that subscription. Surfaces
    render ``data`` (a Digest) with the digest templates."""
    today = today_for(engine, ctx)
    subscribed = [
        s for _, s in engine.store.subscriptions(ctx.team, ctx.channel) if s.cadence == command.cadence
    ]
    kpis = subscribed[0].kpis if subscribed and ctx.channel else []
    period = parse_period(command.period, today) if command.period else None
    digest = build_digest(engine, command.cadence, today, kpis, period)
    return Reply(digest.title, [f"{len(digest.answers)} KPIs"], public=True, kind="digest", data=digest)


# -- team KPI definitions and settings -----------------------------------------------------------------


def _define(command: c.Define, engine: Engine, ctx: Context) -> Reply:
    definitions = {n: (d.formula, d.unit, d.better) for n, d in engine.store.definitions(ctx.team).items()}
    definitions[command.name] = (command.formula, command.unit, command.better)
    kpi = Catalog(definitions).compiled(command.name)
    overrides = command.name in engine.catalog.kpis and engine.catalog.kpis[command.name].builtin
    engine.store.define(
        ctx.team, Definition(command.name, command.formula, command.unit, command.better, ctx.user)
    )
    known = set(engine.store.metrics(ctx.team))
    missing = [m for m in kpi.metrics if m not in known]
    notes = []
    if overrides:
        notes.append(
            f"This replaces the built-in `{command.name}` for this workspace; `/kpi undefine {command.name}` restores it."
        )
    if missing:
        notes.append("No data yet for: " + ", ".join(f"`{m}`" for m in missing) + ".")
    better = "lower is better" if command.better == "lower" else "higher is better"
    return Reply(
        f"KPI `{command.name}` defined",
        [f"`{command.name} = {command.formula}` ({command.unit}, {better})"],
        notes=notes,
        public=True,
        kind="defined",
        actor=ctx.user,
    )


def _undefine(command: c.Undefine, engine: Engine, ctx: Context) -> Reply:
    if engine.store.undefine(ctx.team, command.name):
        restored = command.name in engine.catalog.kpis and command.name in Catalog().kpis
        line = (
            "The built-in definition applies again." if restored else "It no longer appears in `/kpi list`."
        )
        return Reply(f"KPI `{command.name}` retired", [line], public=True, kind="undefined", actor=ctx.user)
    if command.name in Catalog().kpis:
        raise InvalidCommand(
            f"`{command.name}` is built in and can't be retired; `/kpi define` can redefine it."
        )
    raise NotFound(f"This workspace has no KPI `{command.name}` of its own. `/kpi list` shows the catalog.")


def _settings(command: c.ShowSettings, engine: Engine, ctx: Context) -> Reply:
    s = engine.settings
    return Reply(
        "Workspace settings",
        fields=[
            ("Time zone", s.tz),
            ("Currency", s.currency),
            ("Hourly rate (for ROI)", fmt.value(s.hourly_rate, "currency", s.currency)),
        ],
        notes=[
            "Change with `/kpi set timezone Europe/Paris`, `/kpi set currency EUR`, `/kpi set hourly_rate 45`."
        ],
        kind="settings",
    )


def _set(command: c.SetSetting, engine: Engine, ctx: Context) -> Reply:
    key = {"timezone": "tz"}.get(command.key, command.key)
    value: object = float(command.value) if key == "hourly_rate" else command.value
    engine.store.update_settings(ctx.team, **{key: value})
    return Reply(
        f"{humanise(command.key)} set to {command.value}", public=True, kind="setting", actor=ctx.user
    )


_HANDLERS = {
    c.Help: _help,
    c.ListKpis: _list,
    c.KpiQuery: _kpi,
    c.SetGoal: _set_goal,
    c.ListGoals: _goals,
    c.RemoveGoal: _remove_goal,
    c.Record: _record,
    c.Subscribe: _subscribe,
    c.Unsubscribe: _unsubscribe,
    c.ListSubscriptions: _subscriptions,
    c.Report: _report,
    c.Define: _define,
    c.Undefine: _undefine,
    c.ShowSettings: _settings,
    c.SetSetting: _set,
}

__all__ = ["Context", "answer", "kpi_reply"]

"""`/kpi help [topic]` and `/kpi list`."""

from __future__ import annotations

from .. import commands as c
from ..catalog import ALIASES
from ..engine import Engine
from ..periods import PERIOD_EXAMPLES
from ..reply import Reply, Table
from .context import Context

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
    "alert": (
        "Alerts",
        ["alert", "alert goals", "alert stale", "alert remove", "alert snooze"],
        "`/kpi alerts` lists them with the last time each fired. Checked after new data and every morning.",
    ),
    "kpi": ("Asking for a KPI", ["kpi"], "Periods: " + PERIOD_EXAMPLES + ". Default: last week."),
}


HELP_ALIASES = {
    "goals": "goal",
    "subscriptions": "subscribe",
    "unsubscribe": "subscribe",
    "digest": "report",
    "undefine": "define",
    "settings": "set",
    "alerts": "alert",
    "anomaly": "alert",
    "periods": "kpi",
    "period": "kpi",
}


def show_help(command: c.Help, engine: Engine, ctx: Context) -> Reply:
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
        ("/kpi alert engagement anomaly", "tell this channel when a day is unusual for its weekday"),
        ("/kpi define save_rate = sum(saves) / sum(impressions) as percent", "a KPI of your own"),
    ]
    lines = [f"`{cmd}`  {what}" for cmd, what in examples]
    notes = [f"There is no help on `{command.topic}`; here is all of it."] if command.topic else []
    notes += [
        "Periods: today, yesterday, this/last week|month|quarter|year, ytd, last N days|weeks|months, "
        "2026-W46, 2026-11, 2026-Q3, 2026, 2026-11-01..2026-11-15. Default: last week.",
        "Also: /kpi goal remove <id>, /kpi unsubscribe weekly, /kpi subscriptions, /kpi undefine <name>, "
        "/kpi settings, /kpi set timezone|currency|hourly_rate <value>, /kpi sources (connected platforms), "
        "/kpi alerts, /kpi alert remove <id>.",
        "`/kpi help goal` (or record, subscribe, report, alert, define, set, kpi) shows one command in full.",
    ]
    return Reply("kpibot: your KPIs in chat", lines, notes=notes, kind="help")


def list_kpis(command: c.ListKpis, engine: Engine, ctx: Context) -> Reply:
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

"""`/kpi help [topic]` and `/kpi list`."""

from __future__ import annotations

from .. import commands as c
from ..catalog import ALIASES
from ..engine import Engine
from ..i18n import _, language
from ..lexicon import command_word
from ..periods import PERIOD_EXAMPLES
from ..reply import Reply, Table
from .context import Context


def _topics() -> dict[str, tuple[str, list[str], str]]:
    """Each help topic: its title, the usage forms it shows and a note, in the language spoken."""
    return {
        "goal": (
            _("Goals"),
            ["goal", "goal remove"],
            _("`/kpi goals` lists every goal with its status and number."),
        ),
        "record": (
            _("Recording a data point"),
            ["record"],
            _("A value for an existing day and dimensions replaces it."),
        ),
        "subscribe": (
            _("Digests"),
            ["subscribe", "unsubscribe", "report"],
            _("`/kpi subscriptions` lists them."),
        ),
        "report": (
            _("Digests"),
            ["report", "subscribe"],
            _("`/kpi report weekly` posts this week's digest now."),
        ),
        "define": (
            _("KPIs of your own"),
            ["define", "undefine"],
            _("`/kpi list` shows every KPI and its formula."),
        ),
        "set": (_("Settings"), ["set"], _("`/kpi settings` shows the current ones.")),
        "alert": (
            _("Alerts"),
            ["alert", "alert goals", "alert stale", "alert remove", "alert snooze"],
            _(
                "`/kpi alerts` lists them with the last time each fired. Checked after new data and every morning."
            ),
        ),
        "kpi": (
            _("Asking for a KPI"),
            ["kpi"],
            _("Periods: {examples}. Default: last week.").format(examples=PERIOD_EXAMPLES),
        ),
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
    typed = command.topic or ""
    topic = HELP_ALIASES.get(command_word(typed), command_word(typed)) if typed else None
    topics = _topics()
    if topic in topics:
        title, forms, note = topics[topic]
        return Reply(
            _("kpibot help: {topic}").format(topic=title),
            [f"`{c.USAGE[form]}`" for form in forms],
            notes=[note],
            kind="help",
        )
    examples = [
        ("/kpi engagement", _("engagement rate of last week, with trend and goal")),
        ("/kpi engagement last quarter by network", _("one row per network, best first")),
        ("/kpi reach this month network:instagram region:fr", _("filtered by dimensions")),
        ("/kpi list", _("every KPI you can ask for")),
        ("/kpi goal engagement 4.5% per month", _("set a goal; /kpi goals shows them all")),
        ("/kpi record followers 12500 network:linkedin", _("store one data point")),
        ('/kpi subscribe weekly engagement,reach at "mon 09:00"', _("weekly digest in this channel")),
        ("/kpi report weekly", _("the digest, now")),
        ("/kpi alert engagement anomaly", _("tell this channel when a day is unusual for its weekday")),
        ("/kpi define save_rate = sum(saves) / sum(impressions) as percent", _("a KPI of your own")),
    ]
    if language() != "en":
        examples = [(FRENCH_EXAMPLES.get(cmd, cmd), what) for cmd, what in examples]
    lines = [f"`{cmd}`  {what}" for cmd, what in examples]
    notes = (
        [_("There is no help on `{topic}`; here is all of it.").format(topic=command.topic)]
        if command.topic
        else []
    )
    notes += [
        _(
            "Periods: today, yesterday, this/last week|month|quarter|year, ytd, last N days|weeks|months, "
            "2026-W46, 2026-11, 2026-Q3, 2026, 2026-11-01..2026-11-15. Default: last week."
        ),
        _(
            "Also: /kpi goal remove <id>, /kpi unsubscribe weekly, /kpi subscriptions, /kpi undefine <name>, "
            "/kpi settings, /kpi set timezone|currency|hourly_rate <value>, /kpi sources (connected platforms), "
            "/kpi alerts, /kpi alert remove <id>."
        ),
        _(
            "`/kpi help goal` (or record, subscribe, report, alert, define, set, kpi) shows one command in full."
        ),
    ]
    return Reply(_("kpibot: your KPIs in chat"), lines, notes=notes, kind="help")


# The examples as a French team would type them (they work in English too).
FRENCH_EXAMPLES = {
    "/kpi engagement": "/kpi taux_d_engagement",
    "/kpi engagement last quarter by network": "/kpi taux_d_engagement le trimestre dernier par réseau",
    "/kpi reach this month network:instagram region:fr": "/kpi portée ce mois-ci réseau:instagram region:fr",
    "/kpi list": "/kpi liste",
    "/kpi goal engagement 4.5% per month": "/kpi objectif taux_d_engagement 4,5% par mois",
    "/kpi record followers 12500 network:linkedin": "/kpi enregistrer followers 12500 réseau:linkedin",
    '/kpi subscribe weekly engagement,reach at "mon 09:00"': '/kpi abonner hebdomadaire taux_d_engagement,portée at "mon 09:00"',
    "/kpi report weekly": "/kpi rapport hebdomadaire",
    "/kpi alert engagement anomaly": "/kpi alerte taux_d_engagement anomalie",
}


def list_kpis(command: c.ListKpis, engine: Engine, ctx: Context) -> Reply:
    catalog = engine.catalog
    rows = []
    for name in catalog.names():
        kpi = catalog.kpis[name]
        flags = [UNIT_WORDS[kpi.unit]() if kpi.unit in UNIT_WORDS else kpi.unit]
        if kpi.lower_is_better:
            flags.append(_("lower is better"))
        if not kpi.builtin:
            flags.append(_("team"))
        rows.append([name, kpi.formula, ", ".join(flags)])
    aliases = ", ".join(f"{a} → {t}" for a, t in ALIASES.items() if t in catalog.kpis)
    notes = [_("Aliases: {aliases}").format(aliases=aliases)]
    if catalog.metrics:
        listed = ", ".join(f"`{k.name}` ({k.formula})" for k in catalog.metrics.values())
        notes.append(
            _("Metrics in your data, which you can ask for by name too: {metrics}.").format(metrics=listed)
        )
    return Reply(
        _("KPI catalog"),
        [_("{count} KPIs. Ask for one with `/kpi <name> [period]`.").format(count=len(rows))],
        table=Table([_("KPI"), _("formula"), _("unit")], rows),
        notes=notes,
        kind="list",
    )


UNIT_WORDS = {
    "percent": lambda: _("percent"),
    "count": lambda: _("count"),
    "ratio": lambda: _("ratio"),
    "currency": lambda: _("currency"),
    "score": lambda: _("score"),
}

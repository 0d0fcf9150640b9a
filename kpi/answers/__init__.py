"""Commands executed against the store: every `/kpi` command becomes a ``Reply``.

``answer(text, ctx)`` is the single entry point of every surface. Mutating commands check the
admins list first; every read and write names ``ctx.team``. Each command's handler lives in the
module of its feature: kpi.py, goals.py, digests.py, alerts.py, setup.py, help.py.
"""

from __future__ import annotations

from .. import commands as c
from ..alerts import grammar as alert_words
from ..engine import Engine
from ..errors import NotAllowed
from ..i18n import _, speaking
from ..reply import Reply
from . import alerts, digests, goals, help, kpi, setup, sources
from .context import Context, language_for, today_for
from .goals import cadence_words, goal_line
from .kpi import kpi_reply, period_note


def answer(text: str | c.Command, ctx: Context) -> Reply:
    """Parse and run one `/kpi` command for ``ctx.team`` (a button passes its command ready-made),
    in the team's language: its errors too, so the one error handler shows them as they are."""
    engine = Engine(ctx.store, ctx.team)
    lang = language_for(engine, ctx)
    with speaking(lang):
        command = c.parse(text) if isinstance(text, str) else text
        if c.is_mutating(command) and not ctx.is_admin:
            raise NotAllowed(
                _(
                    "Only this workspace's kpibot admins can change goals, alerts, subscriptions, KPI "
                    "definitions, settings and data. Ask one of them, or ask your Slack admin to add you to "
                    "KPIBOT_ADMINS."
                )
            )
        reply = _HANDLERS[type(command)](command, engine, ctx)
    if reply.language is None:
        reply.language = lang
    return reply


_HANDLERS = {
    c.Help: help.show_help,
    c.ListKpis: help.list_kpis,
    c.KpiQuery: kpi.kpi_answer,
    c.SetGoal: goals.set_goal,
    c.ListGoals: goals.list_goals,
    c.RemoveGoal: goals.remove_goal,
    c.Record: setup.record_point,
    c.Subscribe: digests.subscribe,
    c.Unsubscribe: digests.unsubscribe,
    c.ListSubscriptions: digests.list_subscriptions,
    c.Report: digests.report,
    c.Define: setup.define,
    c.Undefine: setup.undefine,
    c.ShowSettings: setup.show_settings,
    c.SetSetting: setup.set_setting,
    c.ListSources: sources.list_sources,
    alert_words.SetAlert: alerts.set_alert,
    alert_words.ListAlerts: alerts.list_alerts,
    alert_words.RemoveAlert: alerts.remove_alert,
    alert_words.SnoozeAlert: alerts.snooze_alert,
}

__all__ = ["Context", "answer", "cadence_words", "goal_line", "kpi_reply", "period_note", "today_for"]

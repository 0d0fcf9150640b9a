"""`/kpi record`, `/kpi define`, `/kpi undefine`, `/kpi settings`, `/kpi set`: what a team sets up."""

from __future__ import annotations

from datetime import date

from .. import commands as c
from .. import format as fmt
from ..catalog import Catalog
from ..engine import Engine
from ..errors import InvalidCommand, NotFound
from ..i18n import LANGUAGES
from ..limits import calendar_problem, in_calendar
from ..names import humanise
from ..reply import Reply
from ..store import Definition
from ..writer import record
from .context import Context, today_for


def record_point(command: c.Record, engine: Engine, ctx: Context) -> Reply:
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


def define(command: c.Define, engine: Engine, ctx: Context) -> Reply:
    definitions = {n: (d.formula, d.unit, d.better) for n, d in engine.store.definitions(ctx.team).items()}
    definitions[command.name] = (command.formula, command.unit, command.better)
    kpi = Catalog(definitions).compiled(command.name)
    overrides = command.name in engine.catalog.kpis and engine.catalog.kpis[command.name].builtin
    engine.store.define(
        ctx.team,
        Definition(command.name, command.formula, command.unit, command.better, ctx.user),
        now=ctx.stamp,
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


def undefine(command: c.Undefine, engine: Engine, ctx: Context) -> Reply:
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


def show_settings(command: c.ShowSettings, engine: Engine, ctx: Context) -> Reply:
    s = engine.settings
    return Reply(
        "Workspace settings",
        fields=[
            ("Time zone", s.tz),
            ("Currency", s.currency),
            ("Hourly rate (for ROI)", fmt.value(s.hourly_rate, "currency", s.currency)),
            ("Language", _language_words(s.language, ctx.default_language)),
        ],
        notes=[
            "Change with `/kpi set timezone Europe/Paris`, `/kpi set currency EUR`, `/kpi set hourly_rate 45`, "
            "`/kpi set language fr`."
        ],
        kind="settings",
    )


def _language_words(chosen: str | None, default: str) -> str:
    if chosen:
        return f"{chosen} ({LANGUAGES[chosen]})"
    return f"{default} ({LANGUAGES.get(default, default)}, the default)"


def set_setting(command: c.SetSetting, engine: Engine, ctx: Context) -> Reply:
    key = {"timezone": "tz"}.get(command.key, command.key)
    value: object = float(command.value) if key == "hourly_rate" else command.value
    engine.store.update_settings(ctx.team, **{key: value})
    return Reply(
        f"{humanise(command.key)} set to {command.value}", public=True, kind="setting", actor=ctx.user
    )

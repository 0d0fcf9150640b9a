"""`/kpi record`, `/kpi define`, `/kpi undefine`, `/kpi settings`, `/kpi set`: what a team sets up."""

from __future__ import annotations

from datetime import date

from .. import commands as c
from .. import format as fmt
from .. import i18n
from ..catalog import Catalog
from ..engine import Engine
from ..errors import InvalidCommand, NotFound
from ..i18n import LANGUAGES, _, speaking
from ..limits import calendar_problem, in_calendar
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
            raise InvalidCommand(
                _("`{day}` is not a date.").format(day=command.day)
                + "\n"
                + _("Usage: `{form}`").format(form=c.USAGE["record"])
            ) from None
    else:
        day = today
    if day > today:
        raise InvalidCommand(
            _("{day} is in the future; record values for today or earlier.").format(day=day.isoformat())
        )
    if not in_calendar(day):
        raise InvalidCommand(calendar_problem(day.isoformat()) + ".")
    replaced = record(engine.store, ctx.team, command.metric, day, command.value, command.dims)
    scope = "".join(f" · {d}: {v}" for d, v in command.dims.items())
    note = _("Replaced the value recorded before.") if replaced else _("New data point.")
    return Reply(
        _("Recorded {metric} = {value} for {day}").format(
            metric=command.metric, value=f"{command.value:,g}", day=day.isoformat()
        )
        + scope,
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
            _(
                "This replaces the built-in `{name}` for this workspace; `/kpi undefine {name}` restores it."
            ).format(name=command.name)
        )
    if missing:
        notes.append(_("No data yet for: {metrics}.").format(metrics=", ".join(f"`{m}`" for m in missing)))
    better = _("lower is better") if command.better == "lower" else _("higher is better")
    return Reply(
        _("KPI `{name}` defined").format(name=command.name),
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
            _("The built-in definition applies again.")
            if restored
            else _("It no longer appears in `/kpi list`.")
        )
        title = _("KPI `{name}` retired").format(name=command.name)
        return Reply(title, [line], public=True, kind="undefined", actor=ctx.user)
    if command.name in Catalog().kpis:
        raise InvalidCommand(
            _("`{name}` is built in and can't be retired; `/kpi define` can redefine it.").format(
                name=command.name
            )
        )
    raise NotFound(
        _("This workspace has no KPI `{name}` of its own. `/kpi list` shows the catalog.").format(
            name=command.name
        )
    )


def show_settings(command: c.ShowSettings, engine: Engine, ctx: Context) -> Reply:
    s = engine.settings
    return Reply(
        _("Workspace settings"),
        fields=[
            (_("Time zone"), s.tz),
            (_("Currency"), s.currency),
            (_("Hourly rate (for ROI)"), fmt.value(s.hourly_rate, "currency", s.currency)),
            (_("Language"), _language_words(s.language, ctx.default_language)),
        ],
        notes=[
            _(
                "Change with `/kpi set timezone Europe/Paris`, `/kpi set currency EUR`, `/kpi set hourly_rate 45`, "
                "`/kpi set language fr`."
            )
        ],
        kind="settings",
    )


def _language_words(chosen: str | None, default: str) -> str:
    if chosen:
        return f"{chosen} ({LANGUAGES[chosen]})"
    return _("{code} ({name}, the default)").format(code=default, name=LANGUAGES.get(default, default))


def set_setting(command: c.SetSetting, engine: Engine, ctx: Context) -> Reply:
    key = {"timezone": "tz"}.get(command.key, command.key)
    value: object = float(command.value) if key == "hourly_rate" else command.value
    engine.store.update_settings(ctx.team, **{key: value})
    language = command.value if key == "language" else i18n.language()
    with speaking(language):  # a new language answers in itself
        title = _("{setting} set to {value}").format(
            setting=SETTING_WORDS[command.key](), value=command.value
        )
    return Reply(title, public=True, kind="setting", actor=ctx.user, language=language)


SETTING_WORDS = {
    "timezone": lambda: _("Timezone"),
    "currency": lambda: _("Currency"),
    "hourly_rate": lambda: _("Hourly rate"),
    "language": lambda: _("Language"),
}

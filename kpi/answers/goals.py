"""`/kpi goal`, `/kpi goals`, `/kpi goal remove`: goals set in chat and their status lines."""

from __future__ import annotations

from datetime import date

from .. import commands as c
from .. import format as fmt
from .. import goals as goal_math
from .. import i18n
from ..catalog import Kpi
from ..engine import Engine
from ..errors import InvalidCommand, InvalidTarget, NotFound, UnknownKpi
from ..goals import status_word
from ..i18n import _
from ..limits import calendar_problem, in_calendar
from ..names import kpi_title
from ..reply import Action, Reply, Table
from ..store import Goal
from .context import Context, today_for


def goal_line(s: goal_math.GoalStatus, currency: str) -> str:
    unit = s.kpi.unit
    target = fmt.value(s.goal.target, unit, currency)
    words = {
        "emoji": s.emoji,
        "status": status_word(s.status),
        "target": target,
        "cadence": cadence_words(s.goal),
    }
    if s.current.ok:
        current = fmt.value(s.current.number, unit, currency)
        text = _("{emoji} {status}: {current} of {target} {cadence}").format(current=current, **words)
    else:
        # The first day of a month has no data for it yet: say so, not "no data of 3.0%".
        nothing = NO_DATA_YET[s.goal.cadence]()
        text = _("{emoji} {status}: {nothing}, target {target} {cadence}").format(nothing=nothing, **words)
    if s.forecast is not None and s.status not in ("met", "missed"):
        text += _(", forecast {value}").format(value=fmt.value(s.forecast, unit, currency))
    if s.needed_per_day is not None and s.status in ("at risk", "off track"):
        text += _(", needs {value}/day").format(value=fmt.value(s.needed_per_day, unit, currency))
    return text


NO_DATA_YET = {
    "week": lambda: _("no data yet this week"),
    "month": lambda: _("no data yet this month"),
    "quarter": lambda: _("no data yet this quarter"),
    "date": lambda: _("no data yet"),
}
PER = {"week": lambda: _("per week"), "month": lambda: _("per month"), "quarter": lambda: _("per quarter")}


def cadence_words(goal: Goal) -> str:
    if goal.cadence == "date":
        return _("by {date}").format(date=goal.deadline)
    return PER[goal.cadence]() if goal.cadence in PER else f"per {goal.cadence}"


def set_goal(command: c.SetGoal, engine: Engine, ctx: Context) -> Reply:
    kpi = engine.catalog.resolve(command.kpi)
    engine.check_slice(command.filters, None)
    today = today_for(engine, ctx)
    target = goal_target(command.target, kpi)
    if command.deadline:
        try:
            deadline = date.fromisoformat(command.deadline)
        except ValueError:
            raise InvalidCommand(
                _("`{day}` is not a date.").format(day=command.deadline)
                + "\n"
                + _("Usage: `{form}`").format(form=c.USAGE["goal"])
            ) from None
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
        now=ctx.stamp,
    )
    status = goal_math.evaluate(engine, goal, kpi, today)
    scope = "".join(f" · {d}: {v}" for d, v in goal.filters.items())
    title = _("Goal #{id} replaced: {goal}") if replaced else _("Goal #{id} set: {goal}")
    target_text = fmt.value(target, kpi.unit, engine.settings.currency)
    what = f"{kpi_title(kpi.name)} {target_text} {cadence_words(goal)}{scope}"
    return Reply(
        title.format(id=goal.id, goal=what),
        [_("Now: {status}").format(status=goal_line(status, engine.settings.currency))],
        notes=[_("`/kpi goals` shows every goal with its status.")],
        actions=[
            Action(_("Edit"), "goal_modal", kpi.name),
            Action(_("Remove #{id}").format(id=goal.id), "remove_goal", str(goal.id), "danger"),
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


def list_goals(command: c.ListGoals, engine: Engine, ctx: Context) -> Reply:
    today = today_for(engine, ctx)
    statuses = goal_statuses(engine, today)
    if not statuses:
        return Reply(
            _("No goals yet"),
            [_("Set one with `/kpi goal engagement 4.5% per month`.")],
            actions=[Action(_("Set goal"), "goal_modal", "")],
            kind="goals",
        )
    currency = engine.settings.currency
    rows, actions = [], []
    for goal, s in statuses:
        scope = "".join(f" {d}:{v}" for d, v in goal.filters.items())
        if s is None:
            rows.append([f"#{goal.id}", goal.kpi + scope, "—", "—", "—", "—", _("KPI retired")])
            continue
        unit = s.kpi.unit
        progress = _whole_percent(s.progress) if s.progress is not None else "—"
        rows.append(
            [
                f"#{goal.id}",
                f"{s.kpi.name}{scope}",
                f"{fmt.value(goal.target, unit, currency)} {cadence_words(goal)}",
                fmt.value(s.current.number, unit, currency, missing=_so_far_missing(s)),
                progress,
                "—"
                if s.forecast is None or s.status in ("met", "missed")
                else fmt.value(s.forecast, unit, currency),
                f"{s.emoji} {status_word(s.status)}",
            ]
        )
        actions.append(Action(_("Edit #{id}").format(id=goal.id), "goal_modal", s.kpi.name))
        actions.append(Action(_("Remove #{id}").format(id=goal.id), "remove_goal", str(goal.id), "danger"))
    counts: dict[str, int] = {}
    for _goal, s in statuses:
        key = s.status if s else "retired"
        counts[key] = counts.get(key, 0) + 1
    summary = ", ".join(
        f"{n} {status_word(status) if status != 'retired' else _('retired')}" for status, n in counts.items()
    )
    return Reply(
        _("Goals · {day}").format(day=fmt.day(today)),
        [summary],
        table=Table(
            ["#", _("KPI"), _("target"), _("so far"), _("progress"), _("forecast"), _("status")],
            rows,
            numeric=[False, False, True, True, True, True, False],
        ),
        notes=[
            _(
                "Status compares a forecast to the period's end with the target: on track, at risk (within 10%), off track."
            )
        ],
        actions=actions,
        kind="goals",
        data=statuses,
    )


def _so_far_missing(s: goal_math.GoalStatus) -> str:
    """A period that has only just begun has no data *yet*; its status then rests on the forecast."""
    if s.status in ("met", "missed", "no data"):
        return s.current.missing or "no data"
    return _("no data yet")


def _whole_percent(share: float) -> str:
    if i18n.language() == "en":
        return f"{share * 100:.0f}%"
    from ..locale_format import whole_percent

    return whole_percent(share)


def remove_goal(command: c.RemoveGoal, engine: Engine, ctx: Context) -> Reply:
    goal = engine.store.goal(ctx.team, command.goal_id)
    if goal is None or not engine.store.remove_goal(ctx.team, command.goal_id):
        raise NotFound(
            _("There is no goal #{id}. `/kpi goals` lists the goals and their numbers.").format(
                id=command.goal_id
            )
        )
    return Reply(
        _("Goal #{id} removed").format(id=goal.id),
        [_("{goal} is no longer tracked.").format(goal=f"{goal.kpi} {cadence_words(goal)}")],
        public=True,
        kind="goal_removed",
        actor=ctx.user,
    )

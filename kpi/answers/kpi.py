"""`/kpi <kpi> [period] [by ...] [filters]`: one KPI's answer, with its trend, breakdown and buttons."""

from __future__ import annotations

from datetime import date

from .. import commands as c
from .. import format as fmt
from .. import i18n
from ..engine import Engine
from ..i18n import _
from ..names import kpi_title
from ..periods import Period, parse_period
from ..query import KpiAnswer, compute_kpi
from ..reply import Action, Reply, Table
from .context import Context, today_for
from .goals import goal_line

MAX_ROWS = 15


def kpi_reply(a: KpiAnswer) -> Reply:
    kpi, period = a.kpi, a.period
    scope = "".join(f" · {dim}: {value}" for dim, value in a.filters.items())
    title = f"{kpi_title(kpi.name)} · {period.label}{scope}"
    previous = period.previous()
    tone = a.tone() if a.value.ok else None
    headline = a.show(a.value)
    if a.value.ok:
        arrow = fmt.arrow(a.value.number, a.previous.number, kpi.unit)
        headline += "   " + _("{arrow} {change} vs {period}").format(
            arrow=arrow, change=a.change(a.previous), period=previous.label
        )
        if tone in ("good", "bad") and a.previous.ok:
            headline += f" ({TONE_WORDS[tone]()})"
    lines = [headline]
    fields = [
        (
            PREVIOUS[period.unit]() if period.count == 1 and not period.ytd else _("Previous period"),
            a.show(a.previous),
        )
    ]
    if a.year_ago is not None:
        ya = period.year_ago()
        fields.append(
            (
                _("Year before ({period})").format(period=ya.label),
                f"{a.show(a.year_ago)} ({a.change(a.year_ago)})",
            )
        )
    values = [v.number for _, v in a.trend]
    first = next((v for v in a.trend if v[1].ok), None)
    trend_text = fmt.sparkline(values)
    if first is not None:
        trend_text += (
            f"  {first[0].short_label} {a.show(first[1])} → {a.trend[-1][0].short_label} {a.show(a.value)}"
        )
    trend_label = TREND[period.unit]() if period.count == 1 and not period.ytd else _("Trend, last 8 periods")
    fields.append((trend_label, trend_text))
    for status in a.goals:
        fields.append((_("Goal"), goal_line(status, a.currency)))
    table = None
    if a.by:
        rows = [
            [b.group, a.show(b.value), fmt.change(b.value.number, b.previous.number, kpi.unit)]
            for b in a.breakdown
        ]
        table = Table(
            [a.by, kpi_title(kpi.name), _("vs previous")],
            rows[:MAX_ROWS],
            max(0, len(rows) - MAX_ROWS),
            [False, True, True],
        )
    notes = [period_note(period, a.tz, a.latest)]
    if a.value.missing == "n/a":
        notes.append(_("n/a: the denominator of the formula is zero in this period."))
    actions = []
    dims = sorted(a.dimensions - {a.by} - set(a.filters), key=lambda d: (d != "network", d != "region", d))
    if dims and not a.by:
        by_label = _("By {dimension}").format(dimension=dims[0])
        actions.append(_run(by_label, c.KpiQuery(kpi.name, period.code, dims[0], a.filters)))
    actions.append(_run(_("Previous period"), c.KpiQuery(kpi.name, previous.code, a.by, a.filters)))
    actions.append(Action(_("Set goal"), "goal_modal", kpi.name, "primary"))
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
    span = _("{start} to {end}").format(start=period.start.isoformat(), end=period.end.isoformat())
    if latest is None:
        return f"{span} · {tz} · {_('no data yet')}"
    day = date.fromisoformat(latest)
    if i18n.language() == "en":
        fresh = f"data through {day.strftime('%b %-d, %Y')}"
    else:
        from ..locale_format import day as local_day

        fresh = _("data through {day}").format(day=local_day(day))
    return f"{span} · {tz} · {fresh}"


# Words chosen by the period's unit, translated when shown (``N_`` marks them for the catalog).
PREVIOUS = {
    "day": lambda: _("Previous day"),
    "week": lambda: _("Previous week"),
    "month": lambda: _("Previous month"),
    "quarter": lambda: _("Previous quarter"),
    "year": lambda: _("Previous year"),
}
TREND = {
    "day": lambda: _("Trend, last 8 days"),
    "week": lambda: _("Trend, last 8 weeks"),
    "month": lambda: _("Trend, last 8 months"),
    "quarter": lambda: _("Trend, last 8 quarters"),
    "year": lambda: _("Trend, last 8 years"),
}
TONE_WORDS = {"good": lambda: _("good"), "bad": lambda: _("bad")}


def kpi_answer(command: c.KpiQuery, engine: Engine, ctx: Context) -> Reply:
    kpi = engine.catalog.resolve(command.kpi)
    today = today_for(engine, ctx)
    period = parse_period(command.period, today)
    return kpi_reply(compute_kpi(engine, kpi, period, today, command.filters, command.by))

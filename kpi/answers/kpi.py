"""`/kpi <kpi> [period] [by ...] [filters]`: one KPI's answer, with its trend, breakdown and buttons."""

from __future__ import annotations

from datetime import date

from .. import commands as c
from .. import format as fmt
from ..engine import Engine
from ..names import humanise
from ..periods import Period, parse_period
from ..query import KpiAnswer, compute_kpi
from ..reply import Action, Reply, Table
from .context import Context, today_for
from .goals import goal_line

MAX_ROWS = 15


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


def kpi_answer(command: c.KpiQuery, engine: Engine, ctx: Context) -> Reply:
    kpi = engine.catalog.resolve(command.kpi)
    today = today_for(engine, ctx)
    period = parse_period(command.period, today)
    return kpi_reply(compute_kpi(engine, kpi, period, today, command.filters, command.by))

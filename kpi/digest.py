"""The data of a digest: which KPIs, over which period, with comparisons, movers and goals.

Surfaces render it: ``digest_reply`` gives the plain ``Reply`` used by `/kpi report` and the console.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from . import format as fmt
from .answers import KpiAnswer, compute_kpi, goal_line, period_note
from .engine import Engine
from .errors import UnknownKpi
from .names import humanise
from .periods import Period, parse_period
from .reply import Reply, Table

HEADLINE = ("engagement_rate", "reach", "followers", "ctr", "social_traffic_share", "leads")
MOVER_DIMENSIONS = ("network", "region")


@dataclass
class Mover:
    kpi: str
    dimension: str
    group: str
    change: str
    tone: str
    size: float


@dataclass
class Digest:
    cadence: str
    period: Period
    answers: list[KpiAnswer]
    movers: list[Mover] = field(default_factory=list)
    tz: str = "UTC"
    latest: str | None = None


def digest_kpis(engine: Engine, chosen: list[str]) -> list[str]:
    """The subscription's KPIs, or by default the team's goal KPIs followed by the headline set."""
    if chosen:
        return list(dict.fromkeys(chosen))
    names = [g.kpi for g in engine.store.goals(engine.team)] + list(HEADLINE)
    return list(dict.fromkeys(names))


def build_digest(
    engine: Engine, cadence: str, today: date, kpis: list[str], period: Period | None = None
) -> Digest:
    period = period or parse_period("last week" if cadence == "weekly" else "last quarter", today)
    dims = [d for d in MOVER_DIMENSIONS if d in engine.dimensions]
    answers: list[KpiAnswer] = []
    movers: list[Mover] = []
    for name in digest_kpis(engine, kpis):
        try:
            kpi = engine.catalog.resolve(name)
        except UnknownKpi:
            continue
        answer = compute_kpi(engine, kpi, period, today, by=dims[0] if dims else None)
        answers.append(answer)
        for dim in dims:
            groups = (
                answer.breakdown
                if dim == answer.by
                else compute_kpi(engine, kpi, period, today, by=dim, with_goals=False).breakdown
            )
            for b in groups:
                if b.value.number is None or not b.previous.number:
                    continue
                size = abs(b.value.number - b.previous.number) / abs(b.previous.number)
                tone = fmt.direction(b.value.number, b.previous.number, kpi.unit, kpi.lower_is_better)
                movers.append(
                    Mover(
                        kpi.name,
                        dim,
                        b.group,
                        fmt.change(b.value.number, b.previous.number, kpi.unit),
                        tone,
                        size,
                    )
                )
    movers.sort(key=lambda m: -m.size)
    return Digest(
        cadence, period, answers, movers[:5], engine.settings.tz, engine.store.latest_date(engine.team)
    )


def digest_reply(d: Digest) -> Reply:
    rows = []
    for a in d.answers:
        row = [humanise(a.kpi.name), a.show(a.value), a.change(a.previous)]
        if a.period.compares_year_ago:
            row.append(a.change(a.year_ago))
        row.append(fmt.sparkline([v.number for _, v in a.trend]))
        row.append(" ".join(s.emoji + " " + s.status for s in a.goals) or "—")
        rows.append(row)
    columns = ["KPI", "value", f"vs previous {d.period.kind_word}"]
    if d.period.compares_year_ago:
        columns.append("vs year before")
    columns += ["trend", "goal"]
    lines = [f"{len(d.answers)} KPIs · {d.period.label} · {d.tz}"]
    movers = [f"{m.kpi} {m.dimension} {m.group}: {m.change} ({m.tone})" for m in d.movers]
    fields = [("Biggest movers", "; ".join(movers) or "none")]
    for a in d.answers:
        for s in a.goals:
            fields.append((f"Goal: {humanise(a.kpi.name)}", goal_line(s, a.currency)))
    title = f"{d.cadence.capitalize()} digest · {d.period.label}"
    return Reply(
        title,
        lines,
        fields,
        Table(columns, rows),
        [period_note(d.period, d.tz, d.latest)],
        public=True,
        kind="digest",
        data=d,
    )

"""The data of a digest: which KPIs, over which period, with comparisons, movers, anomalies and goals.

Surfaces render it (bot/templating.py with the Jinja templates of templates/); nothing here formats
for Slack. Anomalies use the modified z-score of Iglewicz and Hoaglin: the period's value against the
median and median absolute deviation of the periods before it, flagged beyond 3.5 (anomaly.py).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date

from . import anomaly
from . import format as fmt
from . import formula as fx
from . import goals as goal_math
from .catalog import Kpi
from .engine import Engine
from .errors import UnknownKpi
from .i18n import _, speaking
from .periods import Period, parse_period
from .query import KpiAnswer, compute_kpi
from .store import Goal

HEADLINE = ("engagement_rate", "reach", "followers", "ctr", "social_traffic_share", "leads")
MOVER_DIMENSIONS = ("network", "region")
TREND = {"weekly": 13, "quarterly": 8}
MOVERS = 3


@dataclass
class Mover:
    kpi: str
    dimension: str
    group: str
    value: str
    change: str
    tone: str
    size: float


@dataclass
class Anomaly:
    kpi: str
    value: str
    typical: str
    score: float
    direction: str


@dataclass
class GoalResult:
    """A goal as the digest reports it: its status now, or met/missed for a period the digest closes."""

    status: goal_math.GoalStatus
    closed: bool


@dataclass
class Roi:
    value: KpiAnswer
    revenue: float | None
    spend: float | None
    hours: float | None
    hourly_rate: float
    currency: str


@dataclass
class Digest:
    cadence: str
    period: Period
    answers: list[KpiAnswer]
    movers: dict[str, list[Mover]] = field(default_factory=dict)
    anomalies: list[Anomaly] = field(default_factory=list)
    goals: list[GoalResult] = field(default_factory=list)
    roi: Roi | None = None
    tz: str = "UTC"
    currency: str = "USD"
    latest: str | None = None
    language: str = "en"

    @property
    def title(self) -> str:
        """In the digest's language, as everything rendered from it (surfaces render it inside
        ``i18n.speaking(digest.language)``)."""
        if self.cadence == "weekly":
            return _("Weekly digest · {period}").format(period=self.period.label)
        return _("Quarterly digest · {period}").format(period=self.period.label)


def digest_kpis(engine: Engine, chosen: list[str]) -> list[Kpi]:
    """The subscription's KPIs, or by default the team's goal KPIs followed by the headline set."""
    names = list(chosen) or [g.kpi for g in engine.store.goals(engine.team)] + list(HEADLINE)
    kpis: list[Kpi] = []
    for name in dict.fromkeys(names):
        try:
            kpi = engine.catalog.resolve(name)
        except UnknownKpi:
            continue
        if kpi not in kpis:
            kpis.append(kpi)
    return kpis


def build_digest(
    engine: Engine,
    cadence: str,
    today: date,
    kpis: list[str],
    period: Period | None = None,
    language: str | None = None,
) -> Digest:
    """Everything a weekly or quarterly digest shows, as of ``today`` (a date in the team's zone),
    in ``language`` (default: the team's, else English)."""
    language = language or engine.settings.language or "en"
    with speaking(language):
        return _build(engine, cadence, today, kpis, period, language)


def _build(
    engine: Engine, cadence: str, today: date, kpis: list[str], period: Period | None, language: str
) -> Digest:
    period = period or parse_period("last week" if cadence == "weekly" else "last quarter", today)
    dims = [d for d in MOVER_DIMENSIONS if d in engine.dimensions]
    answers: list[KpiAnswer] = []
    movers: dict[str, list[Mover]] = {d: [] for d in dims}
    anomalies: list[Anomaly] = []
    for kpi in digest_kpis(engine, kpis):
        answer = compute_kpi(engine, kpi, period, today, trend_length=TREND[cadence], with_goals=False)
        answers.append(answer)
        for dim in dims:
            if dim in answer.dimensions:
                breakdown = compute_kpi(engine, kpi, period, today, by=dim, with_goals=False, trend_length=2)
                movers[dim] += _movers(kpi, dim, breakdown)
        anomaly = _anomaly(answer)
        if anomaly:
            anomalies.append(anomaly)
    for dim in movers:
        movers[dim] = sorted(movers[dim], key=lambda m: -m.size)[:MOVERS]
    settings = engine.settings
    return Digest(
        cadence=cadence,
        period=period,
        answers=answers,
        movers={d: m for d, m in movers.items() if m},
        anomalies=anomalies,
        goals=_goals(engine, cadence, period, today),
        roi=_roi(engine, period, today) if cadence == "quarterly" else None,
        tz=settings.tz,
        currency=settings.currency,
        latest=engine.store.latest_date(engine.team),
        language=language,
    )


def _movers(kpi: Kpi, dim: str, answer: KpiAnswer) -> list[Mover]:
    out = []
    for b in answer.breakdown:
        if b.value.number is None or not b.previous.number or b.group == "all":
            continue
        size = abs(b.value.number - b.previous.number) / abs(b.previous.number)
        tone = fmt.direction(b.value.number, b.previous.number, kpi.unit, kpi.lower_is_better)
        if tone == "flat":
            continue
        out.append(
            Mover(
                kpi.name,
                dim,
                b.group,
                answer.show(b.value),
                fmt.change(b.value.number, b.previous.number, kpi.unit),
                tone,
                size,
            )
        )
    return out


def _anomaly(answer: KpiAnswer) -> Anomaly | None:
    """The period's value far outside the periods before it (modified z-score beyond 3.5)."""
    history = [v.number for _, v in answer.trend[:-1] if v.number is not None]
    value = answer.value.number
    score = None if value is None else anomaly.modified_z(value, history)
    if score is None or abs(score) < anomaly.THRESHOLD:
        return None
    return Anomaly(
        answer.kpi.name,
        answer.show(answer.value),
        answer.show(statistics.median(history)),
        round(score, 1),
        "above" if score > 0 else "below",
    )


def _goals(engine: Engine, cadence: str, period: Period, today: date) -> list[GoalResult]:
    """Goals whose period the digest closes are met or missed; the others show their status now."""
    results = []
    for goal in engine.store.goals(engine.team):
        try:
            kpi = engine.catalog.resolve(goal.kpi)
        except UnknownKpi:
            continue
        windows = _closed_windows(goal, cadence, period)
        if windows:
            results += [GoalResult(goal_math.evaluate(engine, goal, kpi, today, w), True) for w in windows]
        else:
            results.append(GoalResult(goal_math.evaluate(engine, goal, kpi, today), False))
    return results


def _closed_windows(goal: Goal, cadence: str, period: Period) -> list[Period]:
    """The goal periods that end inside the digest's period (a quarter closes three monthly goals)."""
    if goal.cadence == "date":
        deadline = date.fromisoformat(goal.deadline or "1970-01-01")
        if period.start <= deadline <= period.end:
            start = date.fromisoformat(goal.start)
            return [Period("day", (deadline - start).days + 1, start, deadline)]
        return []
    if goal.cadence == "week":
        return [period] if cadence == "weekly" else []
    if goal.cadence == "quarter":
        return [period] if cadence == "quarterly" else []
    if cadence == "quarterly":
        first = parse_period(period.start.strftime("%Y-%m"), period.end)
        return [first, first.shifted(1), first.shifted(2)]
    return []


def _roi(engine: Engine, period: Period, today: date) -> Roi | None:
    """Return on the quarter counting hours at the team's rate, with the parts that make it up."""
    try:
        roi = engine.catalog.resolve("roi")
    except UnknownKpi:
        return None
    answer = compute_kpi(engine, roi, period, today, with_goals=False)
    parts = {}
    for metric in ("revenue", "spend", "hours"):
        adhoc = Kpi(metric, f"sum({metric})", "count", tree=fx.parse(f"sum({metric})"))
        parts[metric] = engine.value(adhoc, period.start, period.end).number
    settings = engine.settings
    return Roi(
        answer, parts["revenue"], parts["spend"], parts["hours"], settings.hourly_rate, settings.currency
    )

"""Each kind of alert judged on a team's data as of a day: what fired, with the reason.

Only complete periods are judged: the day before ``today`` (in the team's time zone), the last
complete week or month. A finding carries the formatted words its message shows (value, threshold
or usual range, change, contributors) and the ledger key of what it is about, so each (alert, period),
each goal's change of status and each stale spell is told once.
"""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from .. import anomaly
from .. import format as fmt
from .. import goals as goal_math
from ..catalog import Kpi
from ..engine import ALL, Engine, Value
from ..errors import KpiError
from ..i18n import _, language
from ..names import kpi_title
from ..periods import Period, parse_period
from ..store import Alert

MOVER_DIMENSIONS = ("network", "region")
CONTRIBUTORS = 3
SEASON = {"daily": (7, 8), "weekly": (1, 12)}  # (step back, periods of history): same weekday, 8 weeks
PERIOD_WORDS = {"daily": "yesterday", "weekly": "last week", "monthly": "last month"}
# A period is judged once data reaches its last day, or at the latest this many days after it ends
# (a team whose data skips weekends is judged on Wednesday): late data never fires a half-filled week.
LATE_DAYS = 2
GOAL_ORDER = ("on track", "at risk", "off track", "met", "missed")


@dataclass
class Contributor:
    dimension: str
    group: str
    value: str
    baseline: str
    change: str
    tone: str


@dataclass
class Finding:
    """What one alert found, in words; ``key`` is its ledger key (the period, goal change or spell)."""

    alert_id: int
    channel: str
    kind: str
    key: str
    headline: str
    value: str = ""
    reference: str = ""
    change: str = ""
    tone: str = "bad"
    kpi: str | None = None
    period: str = ""
    contributors: list[Contributor] = field(default_factory=list)
    filters: dict[str, str] = field(default_factory=dict)
    by: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Finding:
        people = [Contributor(**c) for c in data.get("contributors", [])]
        return cls(**{**data, "contributors": people})


def judged_period(cadence: str, today: date) -> Period:
    """The last complete day, week or month before ``today``."""
    return parse_period(PERIOD_WORDS[cadence], today)


def judge(
    engine: Engine, alert: Alert, today: date, seen: dict[str, str], latest: dict[str, str] | None = None
) -> tuple[list[Finding], dict[str, str]]:
    """What ``alert`` finds as of ``today``, and what it remembers for next time (goal statuses).
    ``latest`` is each metric's newest date (the store's, when not given)."""
    if alert.kind == "goals":
        return _goals(engine, alert, today, seen)
    latest = engine.store.metric_latest(engine.team) if latest is None else latest
    if alert.kind == "stale":
        return _stale(engine, alert, today, latest), {}
    try:
        kpi = engine.catalog.resolve(alert.kpi or "")
        engine.check_slice(alert.filters, None)
    except KpiError:
        return [], {}  # the KPI was retired or the filter's value left the data: `/kpi alerts` says so
    period = judged_period(alert.cadence, today)
    newest = max((latest[m] for m in kpi.metrics if m in latest), default="")
    if newest < period.end.isoformat() and (today - period.end).days <= LATE_DAYS:
        return [], {}  # its last day's data may still come: judged when it does, or LATE_DAYS later
    judged = (
        _anomaly(engine, alert, kpi, period) if alert.kind == "anomaly" else _line(engine, alert, kpi, period)
    )
    return ([judged] if judged else []), {}


def _finding(engine: Engine, alert: Alert, kpi: Kpi, period: Period, headline: str, **words: Any) -> Finding:
    """A KPI's finding; its Breakdown button splits by network, or by region when there is none."""
    by = next((d for d in MOVER_DIMENSIONS if d in engine.dimensions and d not in alert.filters), "")
    return Finding(
        alert.id, alert.channel, alert.kind, period.code, headline, kpi=kpi.name, period=period.code,
        filters=dict(alert.filters), by=by, **words,
    )  # fmt: skip


def _scope(alert: Alert) -> str:
    return "".join(f" ({dim}: {value})" for dim, value in alert.filters.items())


def _line(engine: Engine, alert: Alert, kpi: Kpi, period: Period) -> Finding | None:
    """Thresholds (above, below) and changes (drops, rises) against the previous period."""
    before = period.previous()
    now, prev = engine.evaluate(
        kpi, [(period.start, period.end), (before.start, before.end)], alert.filters
    ).totals
    if now.number is None:
        return None  # no data is not a crossing: a stale alert covers data that never came
    show = _shower(engine, kpi)
    name = kpi_title(kpi.name) + _scope(alert)
    change = fmt.change(now.number, prev.number, kpi.unit)
    if alert.kind in ("above", "below"):
        line = alert.amount or 0.0
        crossed = now.number > line if alert.kind == "above" else now.number < line
        if not crossed:
            return None
        good = (alert.kind == "above") != kpi.lower_is_better
        shown = threshold_text(line, kpi, engine.settings.currency)
        words = {"name": name, "line": shown, "value": show(now.number), "when": _when(period)}
        if alert.kind == "above":
            headline = _("{name} is above {line}: {value} {when}").format(**words)
            reference = _("line: above {line}").format(line=shown)
        else:
            headline = _("{name} is below {line}: {value} {when}").format(**words)
            reference = _("line: below {line}").format(line=shown)
    else:
        moved = _moved(alert, kpi, now.number, prev.number)
        if moved is None:
            return None
        good = (alert.kind == "rises") != kpi.lower_is_better
        words = {"name": name, "move": moved, "value": show(now.number), "when": _when(period)}
        if alert.kind == "rises":
            headline = _("{name} rose {move} to {value} {when}").format(**words)
        else:
            headline = _("{name} fell {move} to {value} {when}").format(**words)
        limit = fmt.size(alert.amount or 0.0, "points" if _in_points(alert, kpi) else "percent")
        reference = PREVIOUS_FROM[period.unit]().format(value=show(prev.number), limit=limit)
    return _finding(
        engine, alert, kpi, period, headline, value=show(now.number), reference=reference,
        change=VS_PREVIOUS[period.unit]().format(change=change), tone="good" if good else "bad",
        contributors=_contributors(engine, alert, kpi, [period, before], now, prev),
    )  # fmt: skip


def threshold_text(line: float, kpi: Kpi, currency: str) -> str:
    """A threshold as typed: 9.5 leads stays 9.5, where a count would show as 10."""
    if kpi.unit in ("count", "ratio", "score") and line != round(line):
        return fmt.size(line)
    return fmt.value(line, kpi.unit, currency)


def _in_points(alert: Alert, kpi: Kpi) -> bool:
    return alert.unit == "pp" or (alert.unit == "" and kpi.unit == "percent")


def _moved(alert: Alert, kpi: Kpi, now: float, prev: float | None) -> str | None:
    """The move in words when it goes beyond the alert's size in its direction, else None."""
    if prev is None:
        return None
    sign = -1 if alert.kind == "drops" else 1
    size = alert.amount or 0.0
    if _in_points(alert, kpi):
        delta = (now - prev) * 100
        return fmt.size(abs(delta), "points", 1) if sign * delta > size else None
    if prev == 0:
        return None
    delta = (now - prev) / abs(prev) * 100
    return fmt.size(abs(delta), "percent", 1) if sign * delta > size else None


def _anomaly(engine: Engine, alert: Alert, kpi: Kpi, period: Period) -> Finding | None:
    """The value against the same weekday of the 8 weeks before (daily) or the 12 weeks before
    (weekly), by the modified z-score."""
    step, count = SEASON[alert.cadence]
    history = [period.shifted(-step * k) for k in range(1, count + 1)]
    results = engine.evaluate(kpi, [(p.start, p.end) for p in [period, *history]], alert.filters)
    value = results.totals[0].number
    past = [v.number for v in results.totals[1:] if v.number is not None]
    score = None if value is None else anomaly.modified_z(value, past)
    usual = anomaly.usual_range(past)
    if value is None or score is None or usual is None or abs(score) <= anomaly.THRESHOLD:
        return None
    show = _shower(engine, kpi)
    low, median, high = usual
    good = (score > 0) != kpi.lower_is_better
    if alert.cadence == "daily":
        season = _("{weekday}s of the 8 weeks before").format(weekday=_weekday(period.start))
    else:
        season = _("the 12 weeks before")
    words = {"name": kpi_title(kpi.name) + _scope(alert), "value": show(value), "when": _when(period)}
    if score > 0:
        headline = _("{name} is unusually high: {value} {when}").format(**words)
        band = _("{change} vs the median · score {score}, above the ±3.5 band")
    else:
        headline = _("{name} is unusually low: {value} {when}").format(**words)
        band = _("{change} vs the median · score {score}, below the ±3.5 band")
    usual = _("usually {low} to {high} on {season} (median {median})").format(
        low=show(max(low, 0.0) if value >= 0 else low), high=show(high), season=season, median=show(median)
    )
    return _finding(
        engine, alert, kpi, period, headline, value=show(value), reference=usual,
        change=band.format(change=fmt.change(value, median, kpi.unit), score=fmt.size(score, decimals=1, signed=True)),
        tone="good" if good else "bad",
        contributors=_contributors(engine, alert, kpi, [period, *history], results.totals[0], Value(median), median=True),
    )  # fmt: skip


def _contributors(
    engine: Engine,
    alert: Alert,
    kpi: Kpi,
    periods: list[Period],
    now: Value,
    base: Value,
    *,
    median: bool = False,
) -> list[Contributor]:
    """The networks and regions that moved the way the total moved, biggest first: by how much
    they added to the move for sums, by their own relative change for rates. The baseline is the
    previous period, or for an anomaly the median of the same history."""
    if now.number is None or base.number is None or now.number == base.number:
        return []
    rising = now.number > base.number
    show = _shower(engine, kpi)
    out: list[Contributor] = []
    ranges = [(p.start, p.end) for p in periods]
    for dim in MOVER_DIMENSIONS:
        if dim in alert.filters or dim not in engine.dimensions:
            continue
        groups = engine.evaluate(kpi, ranges, alert.filters, dim).groups
        ranked = []
        for group, values in groups.items():
            value = values[0].number
            history = [v.number for v in values[1:] if v.number is not None]
            if group == ALL or value is None or not history:
                continue
            baseline = statistics.median(history) if median else history[0]
            if baseline == value or (value > baseline) != rising:
                continue
            size = abs(value - baseline) if kpi.additive else abs(value - baseline) / abs(baseline or 1.0)
            tone = fmt.direction(value, baseline, kpi.unit, kpi.lower_is_better)
            if tone == "flat":
                continue  # a move that shows as 0.0 explains nothing
            ranked.append(
                (
                    size,
                    Contributor(
                        dim, group, show(value), show(baseline), fmt.change(value, baseline, kpi.unit), tone
                    ),
                )
            )
        out += [c for _, c in sorted(ranked, key=lambda pair: -pair[0])[:CONTRIBUTORS]]
    return out


def _shower(engine: Engine, kpi: Kpi) -> Any:
    currency = engine.settings.currency
    return lambda number: fmt.value(number, kpi.unit, currency)


def _when(period: Period) -> str:
    if period.unit == "day":
        return _("on {period}").format(period=period.label)
    return _("in {period}").format(period=period.label)


def _weekday(day: date) -> str:
    if language() == "en":
        return day.strftime("%A")
    from ..locale_format import weekday

    return weekday(day)


PREVIOUS_FROM = {
    "day": lambda: _("from {value} the day before (alert at {limit})"),
    "week": lambda: _("from {value} the week before (alert at {limit})"),
    "month": lambda: _("from {value} the month before (alert at {limit})"),
}
VS_PREVIOUS = {
    "day": lambda: _("{change} vs previous day"),
    "week": lambda: _("{change} vs previous week"),
    "month": lambda: _("{change} vs previous month"),
}


def _goals(
    engine: Engine, alert: Alert, today: date, seen: dict[str, str]
) -> tuple[list[Finding], dict[str, str]]:
    """A goal's status now against the one last seen: a change is told, the first sighting is not."""
    found, now = [], {}
    for goal in engine.store.goals(engine.team):
        try:
            kpi = engine.catalog.resolve(goal.kpi)
        except KpiError:
            continue
        status = goal_math.evaluate(engine, goal, kpi, today)
        if status.status == "no data":
            continue
        key = f"goal:{goal.id}"
        now[key] = status.status
        before = seen.get(key)
        if before is None or before == status.status:
            continue
        show = _shower(engine, kpi)
        scope = "".join(f" ({d}: {v})" for d, v in goal.filters.items())
        worse = GOAL_ORDER.index(status.status) > GOAL_ORDER.index(before) if before in GOAL_ORDER else True
        forecast = (
            _(", forecast {value}").format(value=show(status.forecast))
            if status.forecast is not None and status.status not in ("met", "missed")
            else ""
        )
        headline = _("Goal #{id} {kpi} is now {status} (was {before})").format(
            id=goal.id,
            kpi=kpi_title(kpi.name) + scope,
            status=goal_math.status_word(status.status),
            before=goal_math.status_word(before),
        )
        target = _("target {value} · {period}").format(value=show(goal.target), period=status.period.label)
        found.append(Finding(
            alert.id, alert.channel, "goals", f"goal:{goal.id}:{today.isoformat()}:{status.status}", headline,
            value=show(status.current.number), reference=target + forecast,
            tone="good" if status.status in ("on track", "met") or not worse else "bad", kpi=kpi.name,
            period=status.period.code, filters=dict(goal.filters),
        ))  # fmt: skip
    return found, now


def _stale(engine: Engine, alert: Alert, today: date, latest: dict[str, str]) -> list[Finding]:
    """Metrics, file sources (`source:` on import) and connected sources without new data for N days
    or more: each told once per spell (its key holds the last day that had data)."""
    days = int(alert.amount or 1)
    store, team = engine.store, engine.team
    # (the ledger's name, which never changes with the language; the words shown)
    watched = [(f"metric {m}", _("metric {name}").format(name=m), d) for m, d in latest.items()]
    watched += [
        (f"file source {s}", _("file source {name}").format(name=s), d)
        for s, d in store.dimension_latest(team, "source").items()
    ]
    watched += [
        (f"connected source #{s.id} {s.label}", _("connected source #{id} {name}").format(id=s.id, name=s.label),
         s.latest_day)
        for s in store.sources(team) if s.latest_day
    ]  # fmt: skip
    found = []
    after = _("alert after 1 day without data") if days == 1 else _("alert after {days} days without data")
    for key, what, latest in watched:
        quiet = (today - date.fromisoformat(latest)).days - 1
        if quiet < days:
            continue
        since = date.fromisoformat(latest) + timedelta(days=1)
        found.append(Finding(
            alert.id, alert.channel, "stale", f"stale:{key}:{latest}",
            _("No new data for {what} for {days} days").format(what=what, days=quiet),
            value=_("last data {day}").format(day=latest), reference=after.format(days=days),
            change=_("quiet since {day}").format(day=since.isoformat()),
        ))  # fmt: skip
    return found

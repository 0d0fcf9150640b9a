"""Goal status: progress so far, the pace needed, and a forecast to the end of the goal's period.

The forecast, by kind of KPI:
- additive KPIs (sums such as impressions or leads): the value so far plus the average daily value
  of the last 28 complete days times the days left;
- stocks (``last(...)``, such as followers): the latest value plus the average daily change of the
  last 28 days times the days left;
- everything else (rates, ratios, scores): the value so far in the period (or, before any data, the
  last 28 days), since a rate does not accumulate.

Status compares the forecast with the target in the KPI's direction: on track when it reaches the
target, at risk when it falls short by at most 10%, off track beyond. A period that has ended is
met or missed on its final value.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from . import formula as fx
from .catalog import Kpi
from .engine import Engine, Value
from .i18n import _
from .periods import Period
from .store import Goal

WINDOW_DAYS = 28
AT_RISK_MARGIN = 0.10


@dataclass(frozen=True)
class GoalStatus:
    goal: Goal
    kpi: Kpi
    period: Period
    current: Value
    forecast: float | None
    status: str
    needed_per_day: float | None

    @property
    def progress(self) -> float | None:
        if self.current.number is None or not self.goal.target:
            return None
        return self.current.number / self.goal.target

    @property
    def emoji(self) -> str:
        return STATUS_EMOJI.get(self.status, "")


STATUS_EMOJI = {
    "on track": "🟢",
    "at risk": "🟡",
    "off track": "🔴",
    "met": "✅",
    "missed": "❌",
    "no data": "⚪",
}


def status_word(status: str) -> str:
    """A goal status in the language spoken; the status itself stays English data."""
    return STATUS_WORDS[status]() if status in STATUS_WORDS else status


STATUS_WORDS = {
    "on track": lambda: _("on track"),
    "at risk": lambda: _("at risk"),
    "off track": lambda: _("off track"),
    "met": lambda: _("met"),
    "missed": lambda: _("missed"),
    "no data": lambda: _("no data"),
}


def goal_period(goal: Goal, today: date, window: Period | None = None) -> Period:
    """The period a goal is judged on today: this week/month/quarter, or its dated span."""
    if window is not None:
        return window
    if goal.cadence == "date" and goal.deadline:
        start = date.fromisoformat(goal.start)
        end = date.fromisoformat(goal.deadline)
        return Period("day", (end - start).days + 1, start, end)
    unit = goal.cadence
    if unit == "week":
        start = today - timedelta(days=today.weekday())
    elif unit == "month":
        start = today.replace(day=1)
    else:
        start = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    probe = Period(unit, 1, start, start)
    return Period(unit, 1, start, probe.full_end())


def evaluate(engine: Engine, goal: Goal, kpi: Kpi, today: date, window: Period | None = None) -> GoalStatus:
    """Status of one goal as of ``today`` (data is taken to run through yesterday)."""
    period = goal_period(goal, today, window)
    last_day = min(period.end, today - timedelta(days=1))
    total_days = period.days
    done_days = max(0, (last_day - period.start).days + 1)
    days_left = total_days - done_days
    recent = (today - timedelta(days=WINDOW_DAYS), today - timedelta(days=1))
    ranges = [(period.start, last_day) if done_days else (period.start, period.start), recent]
    stock = _is_stock(kpi)
    if stock:
        ranges.append((recent[0] - timedelta(days=WINDOW_DAYS), recent[0] - timedelta(days=1)))
    values = engine.evaluate(kpi, ranges, goal.filters).totals
    current = values[0] if done_days else Value(None, "no data")
    if stock and not current.ok:
        current = values[1]  # a stock's level is its latest value, even before the period starts
    forecast: float | None
    if days_left == 0:
        forecast = current.number
    elif kpi.additive:
        so_far = current.number or 0.0
        daily = (values[1].number / WINDOW_DAYS) if values[1].ok else None
        forecast = None if daily is None and not current.ok else so_far + (daily or 0.0) * days_left
    elif stock:
        now, before = values[1].number, values[2].number
        slope = (now - before) / WINDOW_DAYS if now is not None and before is not None else 0.0
        latest = current.number if current.ok else now
        forecast = None if latest is None else latest + slope * days_left
    else:
        forecast = current.number if current.ok else values[1].number
    status = _status(forecast, goal.target, kpi.lower_is_better, finished=days_left == 0)
    needed = None
    if kpi.additive and days_left > 0:
        needed = max(0.0, goal.target - (current.number or 0.0)) / days_left
    return GoalStatus(goal, kpi, period, current, forecast, status, needed)


def _is_stock(kpi: Kpi) -> bool:
    return isinstance(kpi.tree, fx.Aggregate) and kpi.tree.fn == "last"


def _status(forecast: float | None, target: float, lower_is_better: bool, *, finished: bool) -> str:
    if forecast is None:
        return "no data"
    reached = forecast <= target if lower_is_better else forecast >= target
    if finished:
        return "met" if reached else "missed"
    if reached:
        return "on track"
    if lower_is_better:
        close = forecast <= target * (1 + AT_RISK_MARGIN)
    else:
        close = forecast >= target * (1 - AT_RISK_MARGIN)
    return "at risk" if close else "off track"

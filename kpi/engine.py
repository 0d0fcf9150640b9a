"""KPI values over periods and dimension slices, computed from period aggregates pushed into SQL."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from . import formula as fx
from .catalog import Catalog, Kpi
from .errors import InvalidFilter
from .i18n import _
from .store import Agg, Series, Store
from .store.changes import ITEM_DIMENSIONS

ALL = "all"


@dataclass(frozen=True)
class Value:
    """A KPI's value, or why it has none: 'no data' (nothing recorded) or 'n/a' (zero denominator)."""

    number: float | None
    missing: str = ""

    @property
    def ok(self) -> bool:
        return self.number is not None


NO_DATA = Value(None, "no data")
NOT_APPLICABLE = Value(None, "n/a")


class _ZeroDivision(Exception):
    pass


@dataclass
class Results:
    """Values per range: ``totals[i]`` over the whole slice, ``groups[g][i]`` per dimension value."""

    totals: list[Value]
    groups: dict[str, list[Value]]
    dimensions: set[str]


class Engine:
    """One team's view of the store: its catalog, settings and data."""

    def __init__(self, store: Store, team: str, *, use_cube: bool = True) -> None:
        self.store = store
        self.team = team
        self.use_cube = use_cube
        self.settings = store.settings(team)
        definitions = store.definitions(team)
        self.catalog = Catalog(
            {n: (d.formula, d.unit, d.better) for n, d in definitions.items()},
            metrics=lambda: store.metrics(team),
        )
        self._dimensions: dict[str, list[str]] | None = None

    @property
    def dimensions(self) -> dict[str, list[str]]:
        if self._dimensions is None:
            self._dimensions = self.store.dimensions(self.team)
        return self._dimensions

    def check_slice(self, filters: dict[str, str], by: str | None) -> None:
        """Unknown dimensions and values are errors that list what the data has."""
        known = self.dimensions
        for dim in [*filters, *([by] if by else [])]:
            if dim not in known:
                names = ", ".join(f"`{d}`" for d in known) or _("none yet")
                raise InvalidFilter(
                    _("The data has no dimension `{dim}`. Dimensions: {names}.").format(dim=dim, names=names)
                )
        for dim, wanted in filters.items():
            if wanted != ALL and wanted not in known[dim]:
                values = ", ".join(f"`{v}`" for v in known[dim][:20])
                raise InvalidFilter(
                    _("No data has {dim} `{wanted}`. Known values of {dim}: {values}.").format(
                        dim=dim, wanted=wanted, values=values
                    )
                )

    def evaluate(
        self,
        kpi: Kpi,
        ranges: Sequence[tuple[date, date]],
        filters: dict[str, str] | None = None,
        by: str | None = None,
    ) -> Results:
        filters = filters or {}
        if self.use_cube and _cube_answers(kpi, filters, by):
            results = self._evaluate_cube(kpi, ranges, filters, by)
            if results is not None:
                return results
        series = {s.id: s for s in self.store.series_for(self.team, kpi.metrics) if _matches(s, filters)}
        aggs = self.store.aggregate(list(series), ranges)
        totals: list[dict[str, _Slice]] = [{} for _ in ranges]
        grouped: dict[str, list[dict[str, _Slice]]] = {}
        for (sid, index), agg in aggs.items():
            if not agg.n:
                continue
            s = series[sid]
            _add(totals[index], s.metric, agg)
            if by:
                group = grouped.setdefault(s.dims.get(by, ALL), [{} for _ in ranges])
                _add(group[index], s.metric, agg)
        rate = self.settings.hourly_rate
        return Results(
            [_value(kpi, data, rate) for data in totals],
            {g: [_value(kpi, data, rate) for data in per_range] for g, per_range in grouped.items()},
            {d for s in series.values() for d in s.dims},
        )

    def _evaluate_cube(
        self, kpi: Kpi, ranges: Sequence[tuple[date, date]], filters: dict[str, str], by: str | None
    ) -> Results | None:
        """The same values from the per-dimension cube: the team total (dim '') and one dimension's
        values. Series without that dimension form its group 'all': the total minus the values.
        None when the cube cannot give a ``last`` exactly (the series path then answers)."""
        dim = by or next(iter(filters), None)
        cells = self.store.cube(self.team, kpi.metrics, dim, ranges)
        totals: list[dict[str, _Slice]] = [{} for _ in ranges]
        grouped: dict[str, list[dict[str, _Slice]]] = {}
        for (index, metric, d, value), (total, n) in cells.items():
            if d == "":
                totals[index][metric] = _Slice(total, int(n))
            else:
                per_range = grouped.setdefault(value, [{} for _ in ranges])
                per_range[index][metric] = _Slice(total, int(n))
        stocks = sorted({m for agg in fx.aggregates(kpi.tree) if agg.fn == "last" for m, _ in agg.terms})
        if stocks and not self._last_from_cube(stocks, ranges, totals):
            return None
        if dim is not None:
            rest = [{} for _ in ranges]
            for index, data in enumerate(totals):
                for metric, whole in data.items():
                    parts = [g[index][metric] for g in grouped.values() if metric in g[index]]
                    n = whole.n - sum(p.n for p in parts)
                    if n > 0:
                        rest[index][metric] = _Slice(whole.total - sum(p.total for p in parts), n)
            if any(rest):
                grouped[ALL] = rest
        if filters:
            wanted = grouped.get(filters[dim], [{} for _ in ranges])
            totals, grouped = wanted, {}
        rate = self.settings.hourly_rate
        return Results(
            [_value(kpi, data, rate) for data in totals],
            {g: [_value(kpi, data, rate) for data in per_range] for g, per_range in grouped.items()},
            self.store.metric_dimensions(self.team, kpi.metrics),
        )

    def _last_from_cube(
        self, metrics: list[str], ranges: Sequence[tuple[date, date]], totals: list[dict[str, _Slice]]
    ) -> bool:
        """Fill in ``last`` from the team total on each range's latest date with data. That total is
        each series' own latest value only when every series of the metric has a point on that
        date (the usual case of daily data); otherwise say no."""
        latest = self.store.cube_latest(self.team, metrics, ranges)
        counts = self.store.series_counts(self.team, metrics)
        for index, data in enumerate(totals):
            for metric in metrics:
                if metric not in data:
                    continue
                total, n = latest.get((index, metric), (0.0, 0))
                if n != counts.get(metric):
                    return False
                data[metric].last_sum = total
        return True

    def value(self, kpi: Kpi, start: date, end: date, filters: dict[str, str] | None = None) -> Value:
        return self.evaluate(kpi, [(start, end)], filters).totals[0]


@dataclass
class _Slice:
    """One metric over one range and slice: its sum, number of data points, and the sum of each
    series' value on its latest date (what ``last`` needs)."""

    total: float = 0.0
    n: int = 0
    last_sum: float = 0.0


def _add(data: dict[str, _Slice], metric: str, agg: Agg) -> None:
    slot = data.get(metric)
    if slot is None:
        slot = data[metric] = _Slice()
    slot.total += agg.total
    slot.n += agg.n
    slot.last_sum += agg.last_value


def _value(kpi: Kpi, data: dict[str, _Slice], hourly_rate: float) -> Value:
    if not data:
        return NO_DATA
    assert kpi.tree is not None
    try:
        number = _eval(kpi.tree, data, hourly_rate)
    except _ZeroDivision:
        return NOT_APPLICABLE
    if number is not None and not math.isfinite(number):
        return NOT_APPLICABLE  # a product of large sums past what a float holds: no number to show
    return NO_DATA if number is None else Value(number)


def _cube_answers(kpi: Kpi, filters: dict[str, str], by: str | None) -> bool:
    """The cube holds sums and counts per single dimension value: enough for sum and mean KPIs
    overall, by one dimension, or filtered on one dimension value, and for stocks (``last``) over
    the whole team when every series reports on the same latest date. Other stocks and combined
    filters are computed from the series, as are breakdowns and filters on an item dimension
    (a campaign, a product), which the cube does not hold."""
    assert kpi.tree is not None
    if by in ITEM_DIMENSIONS or not ITEM_DIMENSIONS.isdisjoint(filters):
        return False
    if any(agg.fn == "last" for agg in fx.aggregates(kpi.tree)):
        return not filters and by is None
    return (not filters) or (len(filters) == 1 and by is None)


def _matches(series: Series, filters: dict[str, str]) -> bool:
    return all(series.dims.get(dim, ALL) == wanted for dim, wanted in filters.items())


def _eval(
    node: fx.Node, data: dict[str, _Slice], hourly_rate: float, memo: dict[int, float | None] | None = None
) -> float | None:
    """The formula's value over one slice. A KPI used several times in a formula is one shared
    subtree: it is computed once (``memo``, by node identity) however often it is referred to."""
    memo = {} if memo is None else memo
    key = id(node)
    if key in memo:
        return memo[key]
    if isinstance(node, fx.Num):
        result: float | None = node.value
    elif isinstance(node, fx.Ref):
        result = hourly_rate
    elif isinstance(node, fx.Aggregate):
        result = _aggregate(node, data)
    elif isinstance(node, fx.Neg):
        inner = _eval(node.operand, data, hourly_rate, memo)
        result = None if inner is None else -inner
    else:
        left = _eval(node.left, data, hourly_rate, memo)
        right = _eval(node.right, data, hourly_rate, memo)
        result = None if left is None or right is None else _apply(node.op, left, right)
    memo[key] = result
    return result


def _apply(op: str, left: float, right: float) -> float:
    if op == "+":
        return left + right
    if op == "-":
        return left - right
    if op == "*":
        return left * right
    if right == 0:
        raise _ZeroDivision
    return left / right


def _aggregate(node: fx.Aggregate, data: dict[str, _Slice]) -> float | None:
    """One aggregate over the slice. A metric without data adds 0 to a sum; ``mean`` and ``last``
    need data. ``last`` sums each series' value on its own latest date in the period, so a network
    whose data lags a day still counts with its latest known audience."""
    present = [(data[m], coef) for m, coef in node.terms if m in data]
    if node.fn == "sum":
        return sum(coef * slot.total for slot, coef in present)
    if len(present) < len(node.terms) or not present:
        return None
    if node.fn == "mean":
        return sum(coef * slot.total / slot.n for slot, coef in present)
    return sum(coef * slot.last_sum for slot, coef in present)

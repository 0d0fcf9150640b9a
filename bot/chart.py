"""The digest's chart: the subscribed KPIs over the last 13 weeks or 8 quarters, with goal lines.

KPIs of different units share one chart as an index (first period = 100), so a marketing lead sees at
a glance which moved and which way; a goal that can be read on the same scale is drawn as a dashed
line of its KPI's colour. matplotlib is imported here only, when a chart is drawn: importing pyplot
costs a third of a second that no other command should pay. Each thread reuses its figure.
"""

from __future__ import annotations

import io
import math
import threading

from kpi.digest import Digest
from kpi.names import humanise

MAX_LINES = 6
COLOURS = ("#1d3557", "#e63946", "#2a9d8f", "#f4a261", "#6a4c93", "#8d99ae")
_local = threading.local()


def _goal_targets(d: Digest) -> dict[str, list[float]]:
    """Goals readable on this chart: a rate, ratio, score or stock at any cadence, or a sum whose
    goal period is the digest's own (a weekly goal on weekly points)."""
    unit = "week" if d.cadence == "weekly" else "quarter"
    lines: dict[str, list[float]] = {}
    for g in d.goals:
        s = g.status
        if not s.goal.filters and (not s.kpi.additive or s.goal.cadence == unit):
            lines.setdefault(s.kpi.name, []).append(s.goal.target)
    return lines


def _figure():
    figure = getattr(_local, "figure", None)
    if figure is None:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib.figure import Figure

        figure = _local.figure = Figure(figsize=(8, 3), dpi=100)
        figure.subplots_adjust(left=0.07, right=0.72, top=0.86, bottom=0.14)
        axes = figure.add_subplot(1, 1, 1)
        axes.tick_params(axis="y", labelsize=7)
        axes.grid(alpha=0.25)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
    return figure


def render_png(d: Digest) -> bytes:
    figure = _figure()
    axes = figure.axes[0]
    for line in list(axes.lines):  # reuse the axes: clearing them rebuilds every tick, twice as slow
        line.remove()
    if axes.get_legend():
        axes.get_legend().remove()
    targets = _goal_targets(d)
    labels: list[str] = []
    for colour, a in zip(COLOURS, d.answers[:MAX_LINES], strict=False):
        values = [v.number for _, v in a.trend]
        base = next((v for v in values if v), None)
        if base is None:
            continue
        labels = [p.short_label for p, _ in a.trend]
        index = [v / base * 100 if v is not None else math.nan for v in values]
        axes.plot(
            range(len(index)),
            index,
            marker="o",
            markersize=2.5,
            linewidth=1.6,
            color=colour,
            label=f"{humanise(a.kpi.name)} {a.show(a.value)}",
        )
        for target in targets.get(a.kpi.name, []):
            axes.axhline(target / base * 100, color=colour, linestyle="--", linewidth=1, alpha=0.8)
    axes.axhline(100, color="#999999", linewidth=0.6)
    step = max(1, len(labels) // 7)
    axes.set_xticks(range(0, len(labels), step), labels[::step], fontsize=7)
    axes.relim()
    axes.autoscale_view()
    first = labels[0] if labels else ""
    axes.set_title(f"{d.title}   (index, {first} = 100; dashed: goals)", fontsize=8.5, loc="left")
    axes.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=7.5, frameon=False)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()

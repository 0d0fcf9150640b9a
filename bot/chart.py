"""The digest's chart: the subscribed KPIs over the last 13 weeks or 8 quarters, with goal lines.

KPIs of different units share one chart as an index (first period = 100), so a marketing lead sees at
a glance which moved and which way; a goal that can be read on the same scale is drawn as a dashed
line of its KPI's colour. matplotlib is imported here only, when a chart is drawn: importing pyplot
costs a third of a second that no other command should pay.

Text is what costs in matplotlib (each label is laid out and rasterised on every draw), so the chart
keeps it short and plain: a one-line title, the legend drawn as labels beside the axes rather than by
``Axes.legend`` (whose layout pass measured every entry twice), at most eight period labels, drawn as
plain text under their ticks (as tick labels they cost half as much again), and five value labels.
Each thread keeps its figure and its lines and only changes their data.
"""

from __future__ import annotations

import io
import math
import threading
from typing import Any

from kpi import Digest, _, kpi_title, speaking

MAX_LINES = 6
MAX_PERIOD_LABELS = 8
COLOURS = ("#1d3557", "#e63946", "#2a9d8f", "#f4a261", "#6a4c93", "#8d99ae")
KEY_TOP, KEY_STEP = 0.80, 0.11  # legend rows, in figure coordinates
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


class _Chart:
    """One figure with its artists made once: six KPI lines, their legend rows and goal lines."""

    def __init__(self) -> None:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.lines import Line2D
        from matplotlib.ticker import MaxNLocator
        from matplotlib.transforms import blended_transform_factory

        self.figure = Figure(figsize=(8, 3), dpi=100)
        self.canvas = FigureCanvasAgg(self.figure)
        self.figure.subplots_adjust(left=0.07, right=0.70, top=0.86, bottom=0.12)
        axes = self.axes = self.figure.add_subplot(1, 1, 1)
        axes.tick_params(axis="both", labelsize=7, labelbottom=False)
        axes.yaxis.set_major_locator(MaxNLocator(5, steps=[1, 2, 5, 10]))
        axes.grid(alpha=0.25)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        axes.axhline(100, color="#999999", linewidth=0.6)
        self.title = self.figure.text(0.07, 0.92, "", fontsize=8.5)
        style: dict[str, Any] = {"marker": "o", "markersize": 2.5, "linewidth": 1.6}
        self.lines = [axes.plot([], [], color=c, **style)[0] for c in COLOURS]
        self.keys = []
        for index, colour in enumerate(COLOURS):
            y = KEY_TOP - index * KEY_STEP
            swatch = Line2D([0.72, 0.75], [y, y], transform=self.figure.transFigure, color=colour, **style)
            swatch.set_markevery([1])
            self.figure.add_artist(swatch)
            label = self.figure.text(0.765, y, "", fontsize=7.5, va="center")
            self.keys.append((swatch, label))
        self.goal_lines: list[Any] = []
        under = blended_transform_factory(axes.transData, axes.transAxes)
        self.period_labels = [
            axes.text(0, -0.04, "", transform=under, ha="center", va="top", fontsize=7)
            for _ in range(MAX_PERIOD_LABELS)
        ]

    def _goal_line(self, index: int) -> Any:
        while len(self.goal_lines) <= index:
            self.goal_lines.append(self.axes.axhline(0, linestyle="--", linewidth=1, alpha=0.8))
        return self.goal_lines[index]

    def render(self, d: Digest) -> bytes:
        targets = _goal_targets(d)
        shown: list[tuple[str, str, list[float], float]] = []
        labels: list[str] = []
        for a in d.answers:
            values = [v.number for _, v in a.trend]
            base = next((v for v in values if v), None)
            if base is not None and len(shown) < MAX_LINES:
                labels = [p.short_label for p, _ in a.trend]
                index = [v / base * 100 if v is not None else math.nan for v in values]
                shown.append((f"{kpi_title(a.kpi.name)} {a.show(a.value)}", a.kpi.name, index, base))
        goals = 0
        for slot, (line, (swatch, key)) in enumerate(zip(self.lines, self.keys, strict=True)):
            visible = slot < len(shown)
            for artist in (line, swatch, key):
                artist.set_visible(visible)
            if not visible:
                continue
            text, name, index, base = shown[slot]
            line.set_data(range(len(index)), index)
            key.set_text(text)
            for target in targets.get(name, []):
                goal = self._goal_line(goals)
                goal.set_ydata([target / base * 100] * 2)
                goal.set_color(line.get_color())
                goal.set_visible(True)
                goals += 1
        for unused in self.goal_lines[goals:]:
            unused.set_visible(False)
        step = max(1, math.ceil(len(labels) / MAX_PERIOD_LABELS))
        ticks = list(range(len(labels) - 1, -1, -step))[::-1]  # always label the period just closed
        self.axes.set_xticks(ticks)
        for slot, text in enumerate(self.period_labels):
            text.set_visible(slot < len(ticks))
            if slot < len(ticks):
                text.set_x(ticks[slot])
                text.set_text(labels[ticks[slot]])
        self.axes.set_xlim(-0.4, max(len(labels) - 0.6, 0.6))
        self.axes.relim(visible_only=True)
        self.axes.autoscale_view(scalex=False)
        first = labels[0] if labels else ""
        self.title.set_text(f"{d.title}   " + _("(index, {first} = 100; dashed: goals)").format(first=first))
        buffer = io.BytesIO()
        self.canvas.print_png(buffer, pil_kwargs={"compress_level": 1})
        return buffer.getvalue()


def render_png(d: Digest) -> bytes:
    chart = getattr(_local, "chart", None)
    if chart is None:
        chart = _local.chart = _Chart()
    with speaking(d.language):
        return chart.render(d)

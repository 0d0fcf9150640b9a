"""Digest text from Jinja templates: `templates/` in this repository, overridable per deployment by a
folder of the team's own (KPIBOT_TEMPLATES) holding files of the same names.

Templates own the wording; Python owns the structure (bot/digests.py turns each rendered block into a
Block Kit section) and the numbers (formatted here, the same way as every other answer).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined

from kpi import Digest, goal_line, humanise
from kpi import format as fmt

from .text import TONE_EMOJI, escape

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
PARTS = ("summary", "kpis", "movers", "anomalies", "goals", "roi")


@lru_cache(maxsize=8)
def environment(extra: str | None = None) -> Environment:
    """One environment per templates folder: templates compile once per process."""
    folders = [FileSystemLoader(extra)] if extra else []
    env = Environment(
        loader=ChoiceLoader([*folders, FileSystemLoader(str(TEMPLATES))]),
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["mrkdwn"] = escape
    return env


def view(d: Digest) -> dict[str, Any]:
    """The digest's numbers as the strings the templates print."""
    kpis = []
    for a in d.answers:
        recent = [v.number for _, v in a.trend[-8:]]
        kpis.append(
            {
                "name": humanise(a.kpi.name),
                "value": a.show(a.value),
                "change": a.change(a.previous),
                "year_change": a.change(a.year_ago) if a.year_ago is not None else "",
                "sparkline": fmt.sparkline(recent),
                "tone_emoji": TONE_EMOJI.get(a.tone(), "⚪") if a.value.ok and a.previous.ok else "⚪",
            }
        )
    goals = []
    for g in d.goals:
        s = g.status
        scope = "".join(f" ({dim}: {v})" for dim, v in s.goal.filters.items())
        goals.append(
            {
                "kpi": humanise(s.kpi.name) + scope,
                "emoji": s.emoji,
                "status": s.status,
                "text": goal_line(s, d.currency).split(" ", 1)[1]
                + (f" ({s.period.label})" if g.closed else ""),
            }
        )
    good = sum(1 for a in d.answers if a.value.ok and a.previous.ok and a.tone() == "good")
    bad = sum(1 for a in d.answers if a.value.ok and a.previous.ok and a.tone() == "bad")
    headline = f"{len(d.answers)} KPIs: {good} improved, {bad} worsened"
    if d.latest:
        headline += f" · data through {d.latest}"
    roi = None
    if d.roi is not None and d.roi.value.value.ok:
        r = d.roi
        cost = (r.spend or 0.0) + (r.hours or 0.0) * r.hourly_rate
        roi = {
            "value": r.value.show(r.value.value),
            "change": r.value.change(r.value.previous),
            "revenue": fmt.value(r.revenue or 0.0, "currency", r.currency),
            "cost": fmt.value(cost, "currency", r.currency),
            "spend": fmt.value(r.spend or 0.0, "currency", r.currency),
            "hours": fmt.value(r.hours or 0.0, "count"),
            "rate": fmt.value(r.hourly_rate, "currency", r.currency),
        }
    return {
        "digest": d,
        "headline": headline,
        "kpis": kpis,
        "movers": {
            dim: [
                {"kpi": humanise(m.kpi), "group": m.group, "change": m.change, "tone": m.tone} for m in rows
            ]
            for dim, rows in d.movers.items()
        },
        "anomalies": [
            {
                "kpi": humanise(a.kpi),
                "value": a.value,
                "typical": a.typical,
                "score": a.score,
                "direction": a.direction,
            }
            for a in d.anomalies
        ],
        "goals": goals,
        "met": [g for g in goals if g["status"] == "met"],
        "missed": [g for g in goals if g["status"] == "missed"],
        "open": [g for g in goals if g["status"] not in ("met", "missed")],
        "roi": roi,
    }


def render_parts(d: Digest, env: Environment) -> dict[str, str]:
    """Each part of the digest's text (split at the template's `@@name` lines); empty parts dropped."""
    text = env.get_template(f"{d.cadence}.md.j2").render(view(d))
    parts: dict[str, str] = {}
    name = None
    for line in text.splitlines():
        if line.startswith("@@"):
            name = line[2:].strip()
            parts[name] = ""
        elif name is not None:
            parts[name] += line + "\n"
    return {k: v.strip() for k, v in parts.items() if v.strip()}


def render_text(d: Digest, env: Environment) -> str:
    """The digest as text, for `kpibot digest --dry-run` and the console."""
    parts = [p for p in render_parts(d, env).values() if p]
    return "\n\n".join([d.title, *parts])

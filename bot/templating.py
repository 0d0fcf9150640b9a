"""Digest text from Jinja templates: `templates/` in this repository, overridable per deployment by a
folder of the team's own (KPIBOT_TEMPLATES) holding files of the same names.

Templates own the wording; Python owns the structure (bot/digests.py turns each rendered block into a
Block Kit section) and the numbers (formatted here, the same way as every other answer).
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined

from kpi import Digest, _, goal_line, kpi_title, language, speaking
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
    """The digest's numbers as the strings the templates print (inside ``speaking(d.language)``)."""
    kpis = []
    for a in d.answers:
        recent = [v.number for _, v in a.trend[-8:]]
        kpis.append(
            {
                "name": kpi_title(a.kpi.name),
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
                "kpi": kpi_title(s.kpi.name) + scope,
                "emoji": s.emoji,
                "status": s.status,
                "text": goal_line(s, d.currency).split(" ", 1)[1]
                + (f" ({s.period.label})" if g.closed else ""),
            }
        )
    good = sum(1 for a in d.answers if a.value.ok and a.previous.ok and a.tone() == "good")
    bad = sum(1 for a in d.answers if a.value.ok and a.previous.ok and a.tone() == "bad")
    headline = _("{count} KPIs: {good} improved, {bad} worsened").format(
        count=len(d.answers), good=good, bad=bad
    )
    if d.latest:
        headline += " · " + _("data through {day}").format(day=_latest(d.latest))
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
                {"kpi": kpi_title(m.kpi), "group": m.group, "change": m.change, "tone": m.tone} for m in rows
            ]
            for dim, rows in d.movers.items()
        },
        "anomalies": [
            {
                "kpi": kpi_title(a.kpi),
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


def _latest(day: str) -> str:
    """The freshness date: ISO in English digests (as they always were), CLDR's in the others."""
    return day if language() == "en" else fmt.day(date.fromisoformat(day))


def render_parts(d: Digest, env: Environment) -> dict[str, str]:
    """Each part of the digest's text (split at the template's `@@name` lines); empty parts dropped.
    The template is the language's own (`weekly.fr.md.j2`), else the English one."""
    names = (
        [f"{d.cadence}.{d.language}.md.j2", f"{d.cadence}.md.j2"]
        if d.language != "en"
        else [f"{d.cadence}.md.j2"]
    )
    with speaking(d.language):
        text = env.select_template(names).render(view(d))
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
    with speaking(d.language):
        return "\n\n".join([d.title, *parts])

"""An alert message: every alert that fired in one channel in one check, as Block Kit and as text.

The words come from templates/alert.md.j2 (one rendering per alert); the structure is built here:
a header, then per alert its section and its buttons (Breakdown, Snooze 7 days, Remove), cut to
Slack's 50 blocks with a last line saying how many more fired.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from jinja2 import Environment

from kpi import Action, KpiQuery

from .blocks import MAX_BLOCKS, MAX_TEXT, button
from .digests import sections
from .text import TONE_EMOJI, escape

METADATA_TYPE = "kpibot_alert"
_FOOTER = "`/kpi alerts` lists this workspace's alerts; Snooze and Remove are for kpibot admins."


def _view(finding: Any) -> dict[str, Any]:
    contributors: dict[str, list[Any]] = defaultdict(list)
    for c in finding.contributors:
        contributors[c.dimension].append(c)
    return {
        "emoji": "⏳" if finding.kind == "stale" else TONE_EMOJI.get(finding.tone, "⚪"),
        "headline": finding.headline,
        "reference": finding.reference,
        "change": finding.change,
        "contributors": dict(contributors),
    }


def by_alert(findings: list[Any]) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = {}
    for finding in findings:
        grouped.setdefault(finding.alert_id, []).append(finding)
    return grouped


def alert_text(findings: list[Any], env: Environment) -> list[str]:
    """Each alert's part of the message, as mrkdwn."""
    template = env.get_template("alert.md.j2")
    return [
        template.render(findings=[_view(f) for f in group]).strip() for group in by_alert(findings).values()
    ]


def _actions(finding: Any) -> list[Action]:
    actions = []
    if finding.kpi and finding.period and finding.kind not in ("goals", "stale"):
        query = KpiQuery(finding.kpi, finding.period, finding.by or None, dict(finding.filters))
        actions.append(Action("Breakdown", "run", "", query=query))
    actions.append(Action("Snooze 7 days", "alert_snooze", str(finding.alert_id)))
    actions.append(Action("Remove", "alert_remove", str(finding.alert_id), "danger"))
    return actions


def alert_message(findings: list[Any], env: Environment) -> dict[str, Any]:
    """Keyword arguments for chat.postMessage (metadata aside)."""
    groups = by_alert(findings)
    parts = alert_text(findings, env)
    title = f"🔔 kpibot: {len(groups)} alert{'s' if len(groups) != 1 else ''}"
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": title, "emoji": True}}
    ]
    index = 0
    shown = 0
    for group, text in zip(groups.values(), parts, strict=True):
        parts_blocks = [
            {"type": "section", "text": {"type": "mrkdwn", "text": chunk}} for chunk in sections(text)
        ]
        buttons = []
        for action in _actions(group[0]):
            element = button(action, index)
            index += 1
            if len(element["value"]) <= 2000:
                buttons.append(element)
        needed = len(parts_blocks) + 1
        if len(blocks) + needed > MAX_BLOCKS - 2:
            break
        blocks += parts_blocks + [{"type": "actions", "elements": buttons}]
        shown += 1
    if shown < len(groups):
        more = len(groups) - shown
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": f"… and {more} more: `/kpi alerts`"}}
        )
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": _FOOTER}]})
    return {"text": fallback(findings), "blocks": blocks}


def fallback(findings: list[Any]) -> str:
    """The notification text: the first alert's headline and how many more."""
    first = findings[0].headline if findings else "no alerts"
    more = len(by_alert(findings)) - 1
    text = f"kpibot alert: {first}" + (f" (and {more} more)" if more > 0 else "")
    return escape(text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…")


def alert_plain(findings: list[Any], env: Environment) -> str:
    """The message as text: what `kpibot alerts check --dry-run` prints."""
    return "\n\n".join(alert_text(findings, env))

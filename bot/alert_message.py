"""An alert message: every alert that fired in one channel in one check, as Block Kit and as text.

The words come from templates/alert.md.j2 (one rendering per alert); the structure is built here:
a header, then per alert its section and its buttons (Breakdown, Snooze 7 days, Remove), cut to
Slack's 50 blocks with a last line saying how many more fired.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from jinja2 import Environment

from kpi import Action, KpiQuery, _, speaking

from .blocks import MAX_BLOCKS, MAX_TEXT, button
from .digests import sections
from .text import TONE_EMOJI, escape

METADATA_TYPE = "kpibot_alert"


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


def alert_text(findings: list[Any], env: Environment, language: str = "en") -> list[str]:
    """Each alert's part of the message, as mrkdwn, from the language's template (`alert.fr.md.j2`)
    or the English one."""
    names = [f"alert.{language}.md.j2", "alert.md.j2"] if language != "en" else ["alert.md.j2"]
    template = env.select_template(names)
    return [
        template.render(findings=[_view(f) for f in group]).strip() for group in by_alert(findings).values()
    ]


def _actions(finding: Any) -> list[Action]:
    actions = []
    if finding.kpi and finding.period and finding.kind not in ("goals", "stale"):
        query = KpiQuery(finding.kpi, finding.period, finding.by or None, dict(finding.filters))
        actions.append(Action(_("Breakdown"), "run", "", query=query))
    actions.append(Action(_("Snooze 7 days"), "alert_snooze", str(finding.alert_id)))
    actions.append(Action(_("Remove"), "alert_remove", str(finding.alert_id), "danger"))
    return actions


def alert_message(findings: list[Any], env: Environment, language: str = "en") -> dict[str, Any]:
    """Keyword arguments for chat.postMessage (metadata aside), in ``language``."""
    with speaking(language):
        return _message(findings, env, language)


def _message(findings: list[Any], env: Environment, language: str) -> dict[str, Any]:
    groups = by_alert(findings)
    parts = alert_text(findings, env, language)
    count = len(groups)
    title = _("🔔 kpibot: 1 alert") if count == 1 else _("🔔 kpibot: {count} alerts").format(count=count)
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
        more_text = _("… and {count} more: `/kpi alerts`").format(count=more)
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": more_text}})
    footer = _("`/kpi alerts` lists this workspace's alerts; Snooze and Remove are for kpibot admins.")
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": footer}]})
    return {"text": fallback(findings), "blocks": blocks}


def fallback(findings: list[Any]) -> str:
    """The notification text: the first alert's headline and how many more."""
    first = findings[0].headline if findings else ""
    more = len(by_alert(findings)) - 1
    text = _("kpibot alert: {headline}").format(headline=first)
    if more > 0:
        text += " " + _("(and {count} more)").format(count=more)
    return escape(text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…")


def alert_plain(findings: list[Any], env: Environment, language: str = "en") -> str:
    """The message as text: what `kpibot alerts check --dry-run` prints."""
    return "\n\n".join(alert_text(findings, env, language))

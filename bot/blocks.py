"""A ``Reply`` as Block Kit.

Answers to `/kpi` are built as plain dicts, cut to Slack's limits here: slack_sdk's models validate
every object again on ``to_dict()``, which cost 1.3 ms per answer, more than a third of the HTTP
budget. The tests run every message through those models (and the Web API stand-in's own limit
checks), so the library still guards the shapes. The goal form and App Home, built rarely, use the
models directly.

Everything shown is escaped for mrkdwn (only ``&``, ``<`` and ``>``), so text a person typed can
never become a mention, a channel ping or a link. The only markup added here is our own: bold
values, the actor's mention from a verified user id, and code blocks for tables.
"""

from __future__ import annotations

import json
import re
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ContextBlock,
    DatePickerElement,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from kpi import Action, Reply, Table, _, query_json, speaking

from .text import TONE_EMOJI, escape, table_lines

MAX_BLOCKS = 50
MAX_TEXT = 3000
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def mention(user: str | None) -> str:
    if user and _USER_ID.match(user):
        return f"<@{user}>"
    return escape(user or "someone")


def table_text(table: Table, limit: int = MAX_TEXT - 10) -> str:
    """An aligned table in a code block, cut with "… and N more" to stay within a section's 3000."""
    lines = table_lines(Table(table.columns, table.rows, 0, table.numeric), indent="")
    body, more = lines[:2], table.more
    for index, line in enumerate(lines[2:]):
        candidate = "\n".join([*body, line])
        if len(escape(candidate)) > limit - 40:
            more += len(lines) - 2 - index
            break
        body.append(line)
    if more:
        body.append(f"… and {more} more")
    return "```" + escape("\n".join(body)) + "```"


def fallback_text(reply: Reply) -> str:
    """The notification and accessibility text that goes with the blocks."""
    first = f": {reply.lines[0]}" if reply.lines else ""
    return escape(_cut(f"{reply.title}{first}", MAX_TEXT))


def _mrkdwn(text: str, limit: int = MAX_TEXT) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": _cut(text, limit)}


def _plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": _cut(text, limit), "emoji": True}


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": _mrkdwn(text)}


def button(action: Action, index: int) -> dict[str, Any]:
    """A button whose value is what the listener needs, structured: a question travels as JSON, so a
    dimension value with spaces or quotes is never re-parsed from text."""
    value = query_json(action.query) if action.query else action.value
    element = {
        "type": "button",
        "text": _plain(action.label, 75),
        "action_id": f"{action.kind}:{index}",
        "value": value or "-",
    }
    if action.style:
        element["style"] = action.style
    return element


def reply_blocks(reply: Reply) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [{"type": "header", "text": _plain(reply.title, 150)}]
    if reply.lines:
        first, *rest = reply.lines
        head = escape(first)
        if reply.emphasis and first.startswith(reply.emphasis):
            tone = TONE_EMOJI.get(reply.tone or "", "")
            head = f"{tone} *{escape(reply.emphasis)}*{escape(first[len(reply.emphasis) :])}"
        blocks.append(_section("\n".join([head.strip(), *(escape(line) for line in rest)])))
    if reply.fields:
        fields = [_mrkdwn(f"*{escape(label)}*\n{escape(value)}", 2000) for label, value in reply.fields]
        for start in range(0, len(fields), 10):
            blocks.append({"type": "section", "fields": fields[start : start + 10]})
    if reply.table and reply.table.rows:
        blocks.append(_section(table_text(reply.table)))
    notes = [escape(n) for n in reply.notes]
    if reply.actor:
        with speaking(reply.language):
            notes.insert(0, _("by {who}").format(who=mention(reply.actor)))
    if notes:
        blocks.append({"type": "context", "elements": [_mrkdwn(n) for n in notes[:10]]})
    if reply.actions:
        # Slack takes button values up to 2,000 characters: a question longer than that has no button.
        buttons = [button(action, index) for index, action in enumerate(reply.actions[:25])]
        elements = [b for b in buttons if len(b["value"]) <= 2000]
        if elements:
            blocks.append({"type": "actions", "elements": elements})
    return blocks[:MAX_BLOCKS]


def message(reply: Reply) -> dict[str, Any]:
    """Keyword arguments for ack/respond/chat.postMessage."""
    return {
        "text": fallback_text(reply),
        "blocks": reply_blocks(reply),
        "response_type": "in_channel" if reply.public else "ephemeral",
    }


def error_message(text: str) -> dict[str, Any]:
    return {
        "text": escape(_cut(text, MAX_TEXT)),
        "blocks": [_section(escape(_cut(text, MAX_TEXT)))],
        "response_type": "ephemeral",
    }


# -- the goal form ---------------------------------------------------------------------------------

GOAL_CALLBACK = "goal_form"


def goal_modal(
    kpis: list[str], dimensions: dict[str, list[str]], initial_kpi: str | None, metadata: dict
) -> View:
    """The same goal as `/kpi goal`, as a form: KPI, target, period, optional network and region."""
    kpi_options = [Option(text=_cut(name, 75), value=name) for name in kpis[:100]]
    cadences = [
        (_("per week"), "week"),
        (_("per month"), "month"),
        (_("per quarter"), "quarter"),
        (_("by a date"), "date"),
    ]
    initial = next((o for o in kpi_options if o.value == initial_kpi), None)
    blocks: list[Block] = [
        InputBlock(
            block_id="kpi",
            label="KPI",
            element=StaticSelectElement(action_id="value", options=kpi_options, initial_option=initial),
        ),
        InputBlock(
            block_id="target",
            label=_("Target"),
            hint=_("A number such as 4.5% for a rate, 12,000 or 10k for a count, 12.50 for money."),
            element=PlainTextInputElement(action_id="value", placeholder="4.5%"),
        ),
        InputBlock(
            block_id="cadence",
            label=_("Period"),
            element=StaticSelectElement(
                action_id="value",
                options=[Option(text=t, value=v) for t, v in cadences],
                initial_option=Option(text=cadences[1][0], value="month"),
            ),
        ),
        InputBlock(
            block_id="deadline",
            label=_('Date (for "by a date")'),
            optional=True,
            element=DatePickerElement(action_id="value"),
        ),
    ]
    for dim in ("network", "region"):
        values = dimensions.get(dim, [])
        if values:
            blocks.append(
                InputBlock(
                    block_id=dim,
                    label=_("Network") if dim == "network" else _("Region"),
                    optional=True,
                    element=StaticSelectElement(
                        action_id="value", options=[Option(text=_cut(v, 75), value=v) for v in values[:100]]
                    ),
                )
            )
    return View(
        type="modal",
        callback_id=GOAL_CALLBACK,
        title=PlainTextObject(text=_("Set a goal")),
        submit=PlainTextObject(text=_("Save goal")),
        close=PlainTextObject(text=_("Cancel")),
        private_metadata=json.dumps(metadata),
        blocks=blocks,
    )


# -- App Home --------------------------------------------------------------------------------------


def home_view(goals: Reply, headline: list[tuple[str, str, str]], period_label: str, note: str) -> View:
    """The team's goals with status and the headline KPIs of the last complete week."""
    blocks: list[Block] = [
        HeaderBlock(text="kpibot"),
        SectionBlock(
            text=MarkdownTextObject(
                text="*" + _("Headline KPIs · {period}").format(period=escape(period_label)) + "*"
            )
        ),
    ]
    fields = [
        MarkdownTextObject(text=f"*{escape(name)}*\n{escape(value)}  {escape(change)}")
        for name, value, change in headline
    ]
    for start in range(0, len(fields), 10):
        blocks.append(SectionBlock(fields=fields[start : start + 10]))
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=escape(note))]))
    blocks.append(DividerBlock())
    blocks.append(
        SectionBlock(
            text=MarkdownTextObject(
                text=f"*{escape(goals.title)}*\n" + "\n".join(escape(x) for x in goals.lines)
            )
        )
    )
    if goals.table and goals.table.rows:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=table_text(goals.table))))
    removals = [a for a in goals.actions if a.kind == "remove_goal"][:24]
    blocks.append(
        ActionsBlock(
            elements=[
                button(action, index)
                for index, action in enumerate(
                    [Action(_("Set goal"), "goal_modal", "", "primary"), *removals]
                )
            ]
        )
    )
    return View(type="home", blocks=blocks[:100])

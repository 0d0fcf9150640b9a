"""A digest as a Slack message (Block Kit built here, text from the templates) and as console text."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment
from slack_sdk.models.blocks import Block, ContextBlock, HeaderBlock, MarkdownTextObject, SectionBlock

from kpi import Digest, _, period_note, speaking

from .blocks import MAX_BLOCKS, MAX_TEXT
from .templating import render_parts
from .text import escape


def sections(text: str) -> list[str]:
    """A part as sections of at most 3000 characters, split between lines."""
    chunks, current = [], ""
    for line in text.splitlines():
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > MAX_TEXT:
            chunks.append(current)
            current = line[:MAX_TEXT]
        else:
            current = candidate
    if current:
        chunks.append(current)
    return chunks


def digest_blocks(d: Digest, env: Environment) -> list[Block]:
    with speaking(d.language):
        return _blocks(d, env)


def _blocks(d: Digest, env: Environment) -> list[Block]:
    blocks: list[Block] = [HeaderBlock(text=d.title[:150])]
    for part in render_parts(d, env).values():
        blocks += [SectionBlock(text=MarkdownTextObject(text=chunk)) for chunk in sections(part)]
    blocks.append(
        ContextBlock(elements=[MarkdownTextObject(text=escape(period_note(d.period, d.tz, d.latest)))])
    )
    return blocks[:MAX_BLOCKS]


def digest_message(d: Digest, env: Environment) -> dict[str, Any]:
    """Keyword arguments for chat.postMessage."""
    with speaking(d.language):
        summary = _("{title}: {count} KPIs").format(title=d.title, count=len(d.answers))
    return {"text": escape(summary), "blocks": [b.to_dict() for b in digest_blocks(d, env)]}

"""Text pieces every surface shares: aligned tables, mrkdwn escaping and the tone emoji.

A leaf: the console, Block Kit and the digest templates all use it, and it uses none of them.
"""

from __future__ import annotations

from rich.cells import cell_len

from kpi import Table

TONE_EMOJI = {"good": "🟢", "bad": "🔴", "flat": "⚪"}


def escape(text: str) -> str:
    """Slack's three control characters; nothing else is encoded (docs: formatting#escaping)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def pad(text: str, width: int, right: bool = False) -> str:
    space = " " * max(0, width - cell_len(text))
    return space + text if right else text + space


def table_lines(table: Table, indent: str = "  ") -> list[str]:
    widths = [cell_len(c) for c in table.columns]
    for row in table.rows:
        widths = [max(w, cell_len(cell)) for w, cell in zip(widths, row, strict=False)]
    numeric = table.numeric or [False] * len(table.columns)

    def line(cells: list[str]) -> str:
        return (
            indent
            + "  ".join(
                pad(cell, w, right) for cell, w, right in zip(cells, widths, numeric, strict=False)
            ).rstrip()
        )

    out = [line(table.columns), indent + "  ".join("─" * w for w in widths)]
    out += [line(row) for row in table.rows]
    if table.more:
        out.append(f"{indent}… and {table.more} more")
    return out

"""A ``Reply`` as terminal text: what `kpibot ask` and `kpibot demo` print.

It shows the same pieces Slack shows (title, value line, fields, table, notes, buttons as the
commands they run), so a console user sees what the channel would see.
"""

from __future__ import annotations

from rich.cells import cell_len

from kpi.reply import Reply, Table


def _pad(text: str, width: int, right: bool = False) -> str:
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
                _pad(cell, w, right) for cell, w, right in zip(cells, widths, numeric, strict=False)
            ).rstrip()
        )

    out = [line(table.columns), indent + "  ".join("─" * w for w in widths)]
    out += [line(row) for row in table.rows]
    if table.more:
        out.append(f"{indent}… and {table.more} more")
    return out


def render(reply: Reply) -> str:
    if reply.kind == "digest":
        from .templating import environment, render_text

        return render_text(reply.data, environment())
    out = [reply.title]
    out += [f"  {line}" for line in reply.lines]
    if reply.fields:
        width = max(cell_len(label) for label, _ in reply.fields)
        out += [f"  {_pad(label, width)}  {value}" for label, value in reply.fields]
    if reply.table:
        out.append("")
        out += table_lines(reply.table)
    if reply.actor:
        out.append(f"  by {reply.actor}")
    for note in reply.notes:
        out.append(f"  {note}")
    runs = [f"/kpi {a.value}" for a in reply.actions if a.kind == "run"]
    if runs:
        out.append("  Next: " + "  ·  ".join(runs))
    return "\n".join(out)

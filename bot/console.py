"""A ``Reply`` as terminal text: what `kpibot ask` and `kpibot demo` print.

It shows the same pieces Slack shows (title, value line, fields, table, notes, buttons as the
commands they run), so a console user sees what the channel would see.
"""

from __future__ import annotations

from rich.cells import cell_len

from kpi import Reply, _, speaking

from .text import pad, table_lines


def render(reply: Reply, templates: str | None = None) -> str:
    """``templates``: the deployment's template folder (KPIBOT_TEMPLATES), for digests."""
    if reply.kind == "digest":
        from .templating import environment, render_text  # Jinja only when a digest is shown

        return render_text(reply.data, environment(templates))
    out = [reply.title]
    out += [f"  {line}" for line in reply.lines]
    if reply.fields:
        width = max(cell_len(label) for label, _ in reply.fields)
        out += [f"  {pad(label, width)}  {value}" for label, value in reply.fields]
    if reply.table:
        out.append("")
        out += table_lines(reply.table)
    with speaking(reply.language):
        if reply.actor:
            out.append("  " + _("by {who}").format(who=reply.actor))
        for note in reply.notes:
            out.append(f"  {note}")
        runs = [f"/kpi {a.value}" for a in reply.actions if a.kind == "run"]
        if runs:
            out.append("  " + _("Next: {commands}").format(commands="  ·  ".join(runs)))
    return "\n".join(out)

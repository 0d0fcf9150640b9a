"""What an import says it did: the one summary every surface (CLI, DM reply) shows."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .. import format as fmt
from ..i18n import _

MAX_PROBLEMS = 1_000


@dataclass
class ImportSummary:
    source: str
    read: int = 0
    inserted: int = 0
    replaced: int = 0
    unchanged: int = 0
    rejected: int = 0
    problems: list[str] = field(default_factory=list)
    layout: str = ""
    format: str = ""
    mappings: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    per_metric: Counter[str] = field(default_factory=Counter)
    first_day: str = ""
    last_day: str = ""
    dry_run: bool = False
    # Seconds the merge held the store's write lock (the benchmark reports it; no surface shows it).
    locked_seconds: float = 0.0

    def add_problem(self, line: int, reason: str) -> None:
        self.rejected += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(_("line {line}: {reason}").format(line=line, reason=reason))

    @property
    def kind(self) -> str:
        if self.layout == "long":
            return _("long layout")
        if self.layout == "wide":
            return _("wide layout")
        return self.format

    def counts(self) -> str:
        """The one line every surface shows after an import, in the language spoken."""
        n = {
            key: fmt.value(getattr(self, key), "count")
            for key in ("read", "inserted", "replaced", "unchanged", "rejected")
        }
        if self.dry_run:
            return _("{read} rows read, {rejected} rejected ({kind}): a dry run, nothing was written").format(
                kind=self.kind, **n
            )
        if self.unchanged:
            return _(
                "{read} rows read, {inserted} inserted, {replaced} replaced, {unchanged} unchanged, "
                "{rejected} rejected ({kind})"
            ).format(kind=self.kind, **n)
        return _(
            "{read} rows read, {inserted} inserted, {replaced} replaced, {rejected} rejected ({kind})"
        ).format(kind=self.kind, **n)

    def details(self) -> list[str]:
        """The lines under the counts: what was recognised, mapped and skipped, over which days."""
        lines = []
        if self.format and self.layout not in ("long", "wide"):
            lines.append(_("format: {name}").format(name=self.format))
        lines += [f"  {m}" for m in self.mappings]
        if self.skipped:
            lines.append(_("skipped columns:"))
            lines += [f"  {s}" for s in self.skipped]
        if self.first_day:
            span = (
                self.first_day
                if self.first_day == self.last_day
                else _("{start} to {end}").format(start=self.first_day, end=self.last_day)
            )
            lines.append(_("dates: {span}").format(span=span))
        if self.per_metric:
            per = ", ".join(f"{m} {fmt.value(n, 'count')}" for m, n in sorted(self.per_metric.items()))
            lines.append(_("rows per metric: {counts}").format(counts=per))
        lines += [_("note: {text}").format(text=n) for n in self.notes]
        return lines

    @property
    def unlisted_problems(self) -> int:
        return self.rejected - len(self.problems)

    def listing(self) -> list[str]:
        lines = list(self.problems)
        if self.unlisted_problems:
            lines.append(_("... and {count} more").format(count=fmt.value(self.unlisted_problems, "count")))
        return lines

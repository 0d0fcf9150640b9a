"""What an import says it did: the one summary every surface (CLI, DM reply) shows."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

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

    def add_problem(self, line: int, reason: str) -> None:
        self.rejected += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(f"line {line}: {reason}")

    @property
    def kind(self) -> str:
        return f"{self.layout} layout" if self.layout in ("long", "wide") else self.format

    def counts(self) -> str:
        """The one line every surface shows after an import."""
        if self.dry_run:
            return f"{self.read:,} rows read, {self.rejected:,} rejected ({self.kind}): a dry run, nothing was written"
        unchanged = f"{self.unchanged:,} unchanged, " if self.unchanged else ""
        return (
            f"{self.read:,} rows read, {self.inserted:,} inserted, {self.replaced:,} replaced, "
            f"{unchanged}{self.rejected:,} rejected ({self.kind})"
        )

    def details(self) -> list[str]:
        """The lines under the counts: what was recognised, mapped and skipped, over which days."""
        lines = []
        if self.format and self.layout not in ("long", "wide"):
            lines.append(f"format: {self.format}")
        lines += [f"  {m}" for m in self.mappings]
        if self.skipped:
            lines.append("skipped columns:")
            lines += [f"  {s}" for s in self.skipped]
        if self.first_day:
            span = (
                self.first_day if self.first_day == self.last_day else f"{self.first_day} to {self.last_day}"
            )
            lines.append(f"dates: {span}")
        if self.per_metric:
            lines.append(
                "rows per metric: " + ", ".join(f"{m} {n:,}" for m, n in sorted(self.per_metric.items()))
            )
        lines += [f"note: {n}" for n in self.notes]
        return lines

    @property
    def unlisted_problems(self) -> int:
        return self.rejected - len(self.problems)

    def listing(self) -> list[str]:
        lines = list(self.problems)
        if self.unlisted_problems:
            lines.append(f"... and {self.unlisted_problems} more")
        return lines

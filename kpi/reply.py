"""What kpibot answers, independent of where it is shown.

A ``Reply`` holds formatted text pieces; the console prints them, Slack lays them out as Block Kit.
Text may hold `code` spans and nothing else of any markup, so every surface can show it as it is
once it has escaped what its own format needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .commands import KpiQuery


@dataclass(frozen=True)
class Action:
    """A button. ``kind`` says what pressing it does: 'run' answers ``query`` (``value`` is the same
    question as typed text, for surfaces that show it), 'goal_modal' opens the goal form for the KPI
    in ``value``, 'remove_goal' removes goal ``value``."""

    label: str
    kind: str
    value: str
    style: str | None = None
    query: KpiQuery | None = None


@dataclass
class Table:
    columns: list[str]
    rows: list[list[str]]
    more: int = 0
    numeric: list[bool] = field(default_factory=list)


@dataclass
class Reply:
    """``emphasis``, when set, is the start of the first line that surfaces may stress: a KPI's value."""

    title: str
    lines: list[str] = field(default_factory=list)
    fields: list[tuple[str, str]] = field(default_factory=list)
    table: Table | None = None
    notes: list[str] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    public: bool = False
    kind: str = "info"
    tone: str | None = None
    actor: str | None = None
    data: Any = None
    emphasis: str | None = None
    language: str | None = None  # what it was answered in (set by answer()): surfaces add their words in it

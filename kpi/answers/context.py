"""Who asks, where and when: what every handler of a `/kpi` command receives."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from ..engine import Engine
from ..periods import today_in
from ..store import Store


@dataclass
class Context:
    """Who asks, where, and when. ``now`` is an aware datetime from the caller's clock."""

    store: Store
    team: str
    now: datetime
    user: str | None = None
    channel: str | None = None
    admins: frozenset[str] = frozenset()
    language: str | None = None  # `--lang`: answer in this language whatever the team set
    default_language: str = "en"  # KPIBOT_LANGUAGE: for teams that have not set theirs

    @property
    def stamp(self) -> str:
        """``now`` as the ISO text the store records writes with."""
        return self.now.isoformat(timespec="seconds")

    @property
    def is_admin(self) -> bool:
        return not self.admins or (self.user is not None and self.user in self.admins)


def language_for(engine: Engine, ctx: Context) -> str:
    """`--lang` first, then the team's `/kpi set language`, then the deployment's default."""
    return ctx.language or engine.settings.language or ctx.default_language


def today_for(engine: Engine, ctx: Context) -> date:
    return today_in(engine.settings.tz, ctx.now)

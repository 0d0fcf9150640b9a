"""What the listeners share: settings, clock, templates, each thread's store, and how an error reads.

The app factory (app.py) builds these and registers the listeners, which import only this module
of the app's, so the factory and its listeners never import each other.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from jinja2 import Environment
from slack_sdk.errors import SlackApiError

from kpi import Context, KpiError, Store, _

from .config import Settings
from .templating import environment

log = logging.getLogger("kpibot.slack")


@dataclass
class Deps:
    """What listeners need, passed in so tests and the scheduler build the same app."""

    settings: Settings
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    _local: threading.local = field(default_factory=threading.local)
    templates: Environment = field(init=False)
    # The alert checks after a write in this process (bot/alerting.AlertService), set by the app factory.
    alerts: Any = None

    def wrote(self, team: str) -> None:
        """New data landed for ``team``: its alerts are checked in the background."""
        if self.alerts is not None:
            self.alerts.after_write(team)

    def __post_init__(self) -> None:
        self.templates = environment(self.settings.templates)

    @contextmanager
    def store(self) -> Iterator[Store]:
        """This thread's connection: opened once per worker thread, never shared between threads."""
        store = getattr(self._local, "store", None)
        if store is None:
            store = self._local.store = Store(self.settings.db, default_tz=self.settings.tz)
        yield store

    def language(self, store: Store, team: str | None) -> str:
        """The team's language, else the deployment's (KPIBOT_LANGUAGE)."""
        chosen = store.settings(team).language if team else None
        return chosen or self.settings.language

    def language_of(self, team: str | None) -> str:
        """The team's language for an error reply: never fails (the error may be the database's)."""
        try:
            with self.store() as store:
                return self.language(store, team)
        except Exception:
            return self.settings.language

    def context(self, store: Store, team: str, user: str | None, channel: str | None) -> Context:
        return Context(
            store,
            team,
            self.clock(),
            user,
            channel,
            self.settings.admins,
            default_language=self.settings.language,
        )


def user_message(error: Exception) -> tuple[str, bool]:
    """What the person sees for an error, and whether it was expected (a domain or Slack error)."""
    if isinstance(error, KpiError):
        return str(error), True
    if isinstance(error, SlackApiError) and error.response.get("error") in (
        "not_in_channel",
        "channel_not_found",
    ):
        return _(
            "I can't post in this channel because I'm not a member. Invite me with `/invite @kpibot` and try again."
        ), True
    ref = uuid.uuid4().hex[:8]
    log.error("unexpected error (ref %s)", ref, exc_info=error)
    return (
        _(
            "Something went wrong on my side (ref {ref}). The team running kpibot can find it in the log."
        ).format(ref=ref),
        False,
    )

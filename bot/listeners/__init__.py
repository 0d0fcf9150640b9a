"""Slack listeners, one module per surface; ``register_listeners`` is the table of contents."""

from __future__ import annotations

from slack_bolt import App

from ..deps import Deps
from . import actions, commands, events, views


def register_listeners(app: App, deps: Deps) -> None:
    commands.register(app, deps)
    actions.register(app, deps)
    views.register(app, deps)
    events.register(app, deps)


__all__ = ["register_listeners"]

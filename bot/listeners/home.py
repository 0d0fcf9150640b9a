"""App Home: the team's goals with status and the headline KPIs of the last complete week."""

from __future__ import annotations

from slack_sdk import WebClient

from kpi import (
    HEADLINE,
    Engine,
    KpiError,
    Store,
    _,
    answer,
    compute_kpi,
    kpi_title,
    parse_period,
    speaking,
    today_in,
)

from ..blocks import home_view
from ..deps import Deps


def publish_home(client: WebClient, deps: Deps, store: Store, team: str, user: str) -> None:
    with speaking(deps.language(store, team)):
        _publish(client, deps, store, team, user)


def _publish(client: WebClient, deps: Deps, store: Store, team: str, user: str) -> None:
    engine = Engine(store, team)
    today = today_in(engine.settings.tz, deps.clock())
    period = parse_period("last week", today)
    headline = []
    for name in HEADLINE:
        try:
            a = compute_kpi(engine, engine.catalog.resolve(name), period, today, with_goals=False)
        except KpiError:
            continue
        headline.append((kpi_title(name), a.show(a.value), a.change(a.previous) if a.value.ok else ""))
    goals = answer("goals", deps.context(store, team, user, None))
    span = _("{start} to {end}").format(start=period.start.isoformat(), end=period.end.isoformat())
    note = f"{span} · {engine.settings.tz}"
    client.views_publish(user_id=user, view=home_view(goals, headline, period.label, note))

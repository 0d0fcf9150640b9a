"""App Home: the team's goals with status and the headline KPIs of the last complete week."""

from __future__ import annotations

from slack_sdk import WebClient

from kpi import HEADLINE, Engine, KpiError, Store, answer, compute_kpi, humanise, parse_period, today_in

from ..blocks import home_view
from ..deps import Deps


def publish_home(client: WebClient, deps: Deps, store: Store, team: str, user: str) -> None:
    engine = Engine(store, team)
    today = today_in(engine.settings.tz, deps.clock())
    period = parse_period("last week", today)
    headline = []
    for name in HEADLINE:
        try:
            a = compute_kpi(engine, engine.catalog.resolve(name), period, today, with_goals=False)
        except KpiError:
            continue
        headline.append((humanise(name), a.show(a.value), a.change(a.previous) if a.value.ok else ""))
    goals = answer("goals", deps.context(store, team, user, None))
    note = f"{period.start.isoformat()} to {period.end.isoformat()} · {engine.settings.tz}"
    client.views_publish(user_id=user, view=home_view(goals, headline, period.label, note))

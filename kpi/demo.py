"""A fictional team's metrics: about two years of daily data ending yesterday, for `kpibot demo`.

Every value is a pure function of its date, network and region, so topping an existing demo
database up to yesterday continues the same story rather than starting a new one.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from datetime import date, timedelta

from .periods import parse_period
from .store import Store
from .writer import ObservationWriter

NETWORKS = {
    # network: (daily impressions per region, engagement rate, ctr, followers at the anchor date)
    "facebook": (42_000, 0.016, 0.011, 180_000),
    "instagram": (55_000, 0.041, 0.006, 240_000),
    "linkedin": (18_000, 0.027, 0.018, 65_000),
    "x": (30_000, 0.011, 0.009, 90_000),
    "pinterest": (12_000, 0.009, 0.014, 30_000),
}
REGIONS = {"fr": 1.0, "us": 1.6, "de": 0.7}
ANCHOR = date(2024, 1, 1)
# On the 12th of every month an Instagram post goes viral: an anomaly a new user can find (README).
CAMPAIGN = ("instagram", 12)
DAYS = 730
# Days written per batch: a batch past every stored date is written without looking old values up.
BATCH_DAYS = 64


def _rng(*key: object) -> random.Random:
    return random.Random("|".join(map(str, key)))


def _season(day: date, network: str) -> float:
    weekday = day.weekday()
    weekly = {"linkedin": [1.15, 1.2, 1.2, 1.15, 1.05, 0.55, 0.5]}.get(
        network, [0.95, 1.0, 1.0, 1.0, 1.05, 1.1, 1.05]
    )
    yearly = 1 + 0.12 * math.sin(2 * math.pi * (day.timetuple().tm_yday - 250) / 365)
    return weekly[weekday] * yearly


def _growth(day: date, network: str) -> float:
    years = (day - ANCHOR).days / 365
    rate = {"instagram": 0.35, "linkedin": 0.45, "x": -0.08, "facebook": 0.05, "pinterest": 0.2}[network]
    return math.exp(rate * years)


def _followers(day: date, network: str, region: str) -> float:
    base = NETWORKS[network][3] * REGIONS[region]
    return base * _growth(day, network)


def social_rows(day: date) -> list[tuple[str, dict[str, str], float]]:
    rows = []
    for network, (impressions_base, er, ctr, _) in NETWORKS.items():
        for region, weight in REGIONS.items():
            r = _rng(day, network, region)
            factor = _season(day, network) * _growth(day, network) ** 0.6 * weight * r.uniform(0.85, 1.15)
            anomaly = 1.0
            campaign = (network, day.day) == CAMPAIGN
            if _rng("viral", day, network).random() < 0.004 or campaign:
                anomaly = r.uniform(2.5, 4.0)
            impressions = impressions_base * factor * anomaly
            posts = max(
                0, round(r.gauss({"x": 6, "instagram": 2, "pinterest": 4}.get(network, 1.5) * weight, 0.6))
            )
            phase = sum(map(ord, network)) % 7
            drift = 1 + 0.15 * math.sin(2 * math.pi * (day - ANCHOR).days / 120 + phase)
            engagements = impressions * er * drift * r.uniform(0.85, 1.15) * (1.2 if anomaly > 1 else 1)
            engagements *= 1.5 if campaign else 1
            f_today = _followers(day, network, region)
            f_before = _followers(day - timedelta(days=1), network, region)
            lost = f_today * r.uniform(0.0004, 0.0009)
            new = max(0.0, f_today - f_before + lost) * r.uniform(0.9, 1.1)
            organic_share = r.uniform(0.55, 0.75)
            reach = impressions * r.uniform(0.55, 0.7)
            rows += [
                ("impressions", {"network": network, "region": region}, round(impressions)),
                ("reach", {"network": network, "region": region}, round(reach)),
                ("organic_reach", {"network": network, "region": region}, round(reach * organic_share)),
                ("paid_reach", {"network": network, "region": region}, round(reach * (1 - organic_share))),
                ("views", {"network": network, "region": region}, round(impressions * r.uniform(0.2, 0.35))),
                ("posts", {"network": network, "region": region}, posts),
                ("likes", {"network": network, "region": region}, round(engagements * 0.7)),
                ("comments", {"network": network, "region": region}, round(engagements * 0.1)),
                ("shares", {"network": network, "region": region}, round(engagements * 0.12)),
                ("saves", {"network": network, "region": region}, round(engagements * 0.08)),
                (
                    "clicks",
                    {"network": network, "region": region},
                    round(impressions * ctr * r.uniform(0.8, 1.2)),
                ),
                ("followers", {"network": network, "region": region}, round(f_today)),
                ("new_followers", {"network": network, "region": region}, round(new)),
                ("lost_followers", {"network": network, "region": region}, round(lost)),
                ("mentions", {"network": network, "region": region}, round(r.uniform(5, 40) * weight)),
            ]
    return rows


def site_rows(day: date) -> list[tuple[str, dict[str, str], float]]:
    rows = []
    for region, weight in REGIONS.items():
        r = _rng("site", day, region)
        trend = 1 + 0.25 * (day - ANCHOR).days / 365
        sessions = 3_200 * weight * trend * _season(day, "facebook") * r.uniform(0.9, 1.1)
        if day.weekday() == 2 and _rng("outage", day).random() < 0.03:
            sessions *= 0.4
        social = sessions * r.uniform(0.22, 0.3)
        referral = sessions * r.uniform(0.1, 0.15)
        leads = sessions * r.uniform(0.009, 0.013)
        customers = leads * r.uniform(0.12, 0.2)
        conversions = sessions * r.uniform(0.018, 0.026)
        spend = 420 * weight * r.uniform(0.8, 1.2) * (0 if day.weekday() >= 5 else 1)
        dims = {"region": region}
        rows += [
            ("sessions", dims, round(sessions)),
            ("social_sessions", dims, round(social)),
            ("referral_sessions", dims, round(referral)),
            ("direct_sessions", dims, round(sessions - social - referral)),
            ("bounces", dims, round(sessions * r.uniform(0.38, 0.48))),
            ("conversions", dims, round(conversions)),
            ("leads", dims, round(leads)),
            ("customers", dims, round(customers)),
            ("revenue", dims, round(customers * r.uniform(180, 260), 2)),
            ("spend", dims, round(spend, 2)),
            ("hours", dims, round(r.uniform(3, 7) * weight * (0.2 if day.weekday() >= 5 else 1), 1)),
            ("csat", dims, round(r.uniform(4.0, 4.7), 2)),
            ("reviews", dims, round(r.uniform(0, 6) * weight)),
        ]
        # Ads reporting, drawn after the rest so the other values stay what they were.
        ad_impressions = spend * r.uniform(90, 130)
        rows += [
            ("ad_impressions", dims, round(ad_impressions)),
            ("ad_clicks", dims, round(ad_impressions * r.uniform(0.008, 0.014))),
            ("ad_revenue", dims, round(spend * r.uniform(2.2, 3.4), 2)),
        ]
    return rows


def fill(store: Store, team: str, yesterday: date, progress: Callable[[int, int], None] | None = None) -> int:
    """Write the demo days missing up to ``yesterday``; returns how many days were added."""
    latest = store.latest_date(team)
    start = date.fromisoformat(latest) + timedelta(days=1) if latest else yesterday - timedelta(days=DAYS - 1)
    if start > yesterday:
        return 0
    days = (yesterday - start).days + 1
    with store.atomic():
        writer = ObservationWriter(store, team)
        for first in range(0, days, BATCH_DAYS):
            rows = []
            for offset in range(first, min(days, first + BATCH_DAYS)):
                day = start + timedelta(days=offset)
                iso = day.isoformat()
                rows += [
                    (writer.series(metric, tuple(sorted(dims.items()))), iso, float(value))
                    for metric, dims, value in social_rows(day) + site_rows(day)
                ]
            writer.replace(rows)
            if progress:
                progress(first, days)
        writer.finish()
    if progress:
        progress(days, days)
    if latest is None:
        _seed(store, team, yesterday)
    return days


def _seed(store: Store, team: str, yesterday: date) -> None:
    """Settings and goals a real team would have set, so `/kpi goals` has something to show."""
    store.update_settings(team, tz="Europe/Paris", currency="EUR", hourly_rate=45.0)
    deadline = parse_period("this quarter", yesterday).full_end().isoformat()
    start = yesterday.isoformat()  # also when they were set: the demo's own clock, not the machine's
    store.set_goal(team, "engagement_rate", 0.03, "month", None, start, {}, "demo", now=start)
    store.set_goal(team, "leads", 7_000, "month", None, start, {}, "demo", now=start)
    store.set_goal(team, "followers", 4_150_000, "date", deadline, start, {}, "demo", now=start)
    store.set_goal(team, "cost_per_lead", 4.6, "quarter", None, start, {}, "demo", now=start)
    store.set_goal(
        team, "engagement_rate", 0.045, "week", None, start, {"network": "instagram"}, "demo", now=start
    )

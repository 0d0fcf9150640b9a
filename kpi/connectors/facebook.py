"""A Facebook Page through the Graph API's Page Insights (`GET /{page-id}/insights`).

Each metric is asked for on its own, so one the Graph refuses (#100, a deprecation) is skipped and
named while the others come in. Graph's `end_time` is the end of the Pacific day it counts, so the
day is the date of `end_time` minus one day. Windows are at most 90 days a call.
"""

from __future__ import annotations

from datetime import date, timedelta

from .base import Http, Observation, Pulled, RateLimited, Window
from .graph import Graph, Refused

# Graph metric → kpibot metric (SOURCES §4; Meta's views are impressions, its viewers reach).
METRICS = (
    ("page_media_view", "impressions"),
    ("page_total_media_view_unique", "reach"),
    ("page_post_engagements", "interactions"),
    ("page_follows", "followers"),
    ("page_daily_follows_unique", "new_followers"),
    ("page_daily_unfollows_unique", "lost_followers"),
)
MAX_DAYS = 90


def day_series(documents: list[dict], metric: str, network: str, window: Window) -> list[Observation]:
    """A Graph `period=day` series: each value is the day before its `end_time`."""
    rows: list[Observation] = []
    for document in documents:
        for series in document.get("data", []):
            for point in series.get("values", []):
                day = date.fromisoformat(str(point.get("end_time", ""))[:10]) - timedelta(days=1)
                value = point.get("value")
                if (
                    isinstance(value, int | float)
                    and not isinstance(value, bool)
                    and window.start <= day <= window.end
                ):
                    rows.append((metric, (("network", network),), day.isoformat(), float(value)))
    return rows


def day_params(metric: str, span: Window) -> dict[str, str]:
    """A `period=day` insights request for one span (Graph's `until` is exclusive)."""
    return {"metric": metric, "period": "day", "since": span.start.isoformat(),
            "until": (span.end + timedelta(days=1)).isoformat()}  # fmt: skip


def spans(window: Window, days: int = MAX_DAYS) -> list[Window]:
    out, start = [], window.start
    while start <= window.end:
        end = min(window.end, start + timedelta(days=days - 1))
        out.append(Window(start, end))
        start = end + timedelta(days=1)
    return out


class Facebook:
    kind = "facebook"
    lookback_days = 3

    def __init__(self, config: dict[str, str], secret: str, base_url: str, http: Http, tz: str) -> None:
        self.page, self.base = config["page"], base_url
        self.graph = Graph(base_url, secret, http, "Facebook")

    def pull(self, window: Window) -> Pulled:
        """All metrics in one call a span; if the Graph refuses one (#100 fails the whole call),
        each is asked alone, so the refused one is named and the others still come in."""
        pulled = Pulled()
        names = dict(METRICS)
        refused: dict[str, str] = {}
        for span in spans(window):
            wanted = [g for g in names if g not in refused]
            try:
                documents = self.graph.pages(
                    f"{self.base}{self.page}/insights", day_params(",".join(wanted), span)
                )
                for graph_name in wanted:
                    picked = [
                        {"data": [d for d in doc.get("data", []) if d.get("name") == graph_name]}
                        for doc in documents
                    ]
                    pulled.rows.extend(day_series(picked, names[graph_name], "facebook", span))
            except Refused:
                for graph_name in wanted:
                    try:
                        documents = self.graph.pages(
                            f"{self.base}{self.page}/insights", day_params(graph_name, span)
                        )
                        pulled.rows.extend(day_series(documents, names[graph_name], "facebook", span))
                    except Refused as exc:
                        refused[graph_name] = str(exc)
            if self.graph.busy:
                raise RateLimited(
                    "Facebook's usage for this app is above 90%; the next sync goes on from here."
                )
        pulled.skipped = [f"{g} ({names[g]}): refused by Facebook — {why}" for g, why in refused.items()]
        return pulled

    def check(self, yesterday: date) -> str:
        document = self.graph.get(f"{self.base}{self.page}", {"fields": "name"})
        return f"Facebook Page “{document.get('name', self.page)}” answers."

"""A Facebook Page through the Graph API's Page Insights (`GET /{page-id}/insights`).

Each metric is asked for on its own, so one the Graph refuses (#100, a deprecation) is skipped and
named while the others come in. Graph's `end_time` is the end of the Pacific day it counts, so the
day is the date of `end_time` minus one day. Windows are at most 90 days a call; paging follows
`paging.next` only while it points at the Graph itself.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from .base import Http, Observation, Pulled, RateLimited, SourceError, TokenExpired, Window, same_origin

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
RATE_CODES = {4, 17, 32, 613}
USAGE_LIMIT = 90


class Facebook:
    kind = "facebook"
    lookback_days = 3

    def __init__(self, config: dict[str, str], secret: str, base_url: str, http: Http, tz: str) -> None:
        self.page, self.token, self.base, self.http = config["page"], secret, base_url, http

    def _get(self, url: str, params: dict[str, str] | None = None) -> dict[str, Any]:
        response = self.http.call(
            "GET", url, params=params, headers={"Authorization": f"Bearer {self.token}"}
        )
        try:
            document = response.json()
        except ValueError:
            document = {}
        error = document.get("error") if isinstance(document, dict) else None
        if error:
            code = error.get("code")
            if code == 190 or response.status_code == 401:
                raise TokenExpired(
                    "Facebook says the Page token has expired or was revoked. Connect the source again."
                )
            if code in RATE_CODES or response.status_code == 429:
                raise RateLimited("Facebook asked kpibot to slow down; the next sync goes on from here.")
            if code == 100:
                raise _Refused(str(error.get("message", "invalid metric"))[:200])
            raise SourceError(f"Facebook answered: {str(error.get('message', 'an error'))[:200]}")
        if response.status_code != 200:
            raise SourceError(f"Facebook answered {response.status_code}.")
        if _usage(response.headers) > USAGE_LIMIT:
            self.busy = True
        return document

    def pull(self, window: Window) -> Pulled:
        pulled = Pulled()
        self.busy = False
        for graph_name, metric in METRICS:
            try:
                pulled.rows.extend(self._metric(graph_name, metric, window))
            except _Refused as exc:
                pulled.skipped.append(f"{graph_name} ({metric}): refused by Facebook — {exc}")
            if self.busy:
                raise RateLimited(
                    "Facebook's usage for this app is above 90%; the next sync goes on from here."
                )
        return pulled

    def _metric(self, graph_name: str, metric: str, window: Window) -> list[Observation]:
        rows: list[Observation] = []
        start = window.start
        while start <= window.end:
            end = min(window.end, start + timedelta(days=MAX_DAYS - 1))
            url: str | None = f"{self.base}{self.page}/insights"
            params: dict[str, str] | None = {
                "metric": graph_name,
                "period": "day",
                "since": start.isoformat(),
                "until": (end + timedelta(days=1)).isoformat(),
            }
            while url:
                document = self._get(url, params)
                for series in document.get("data", []):
                    for point in series.get("values", []):
                        day = date.fromisoformat(str(point.get("end_time", ""))[:10]) - timedelta(days=1)
                        value = point.get("value")
                        if (
                            isinstance(value, int | float)
                            and not isinstance(value, bool)
                            and window.start <= day <= window.end
                        ):
                            rows.append((metric, (("network", "facebook"),), day.isoformat(), float(value)))
                following = (document.get("paging") or {}).get("next")
                url, params = (
                    (following, None) if following and same_origin(following, self.base) else (None, None)
                )
            start = end + timedelta(days=1)
        return rows

    def check(self, yesterday: date) -> str:
        document = self._get(f"{self.base}{self.page}", {"fields": "name"})
        return f"Facebook Page “{document.get('name', self.page)}” answers."


class _Refused(Exception):
    pass


def _usage(headers: Any) -> float:
    """The highest share Meta reports in `x-app-usage` / `x-business-use-case-usage`."""
    import json

    highest = 0.0
    for name in ("x-app-usage", "x-business-use-case-usage"):
        text = headers.get(name)
        if not text:
            continue
        try:
            document = json.loads(text)
        except ValueError:
            continue
        blocks = [document] if isinstance(document, dict) and "call_count" in document else []
        if isinstance(document, dict) and not blocks:
            blocks = [
                b
                for values in document.values()
                if isinstance(values, list)
                for b in values
                if isinstance(b, dict)
            ]
        for block in blocks:
            for key in ("call_count", "total_cputime", "total_time"):
                value = block.get(key)
                if isinstance(value, int | float):
                    highest = max(highest, float(value))
    return highest

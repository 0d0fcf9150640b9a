"""An Instagram professional account through the Graph (`GET /{ig-user-id}/insights`).

`reach` comes as a day series; `views`, `likes`, `comments`, `shares` and `saves` are asked with
`metric_type=total_value`, which answers one total for the range asked, so they are asked one day
at a time. The audience is the account's `followers_count`, stored as yesterday's value each sync.
"""

from __future__ import annotations

from datetime import date, timedelta

from .base import Http, Pulled, RateLimited, Window
from .facebook import day_params, day_series, spans
from .graph import Graph, Refused

DAY_SERIES = (("reach", "reach"),)
TOTALS = (("views", "impressions"), ("likes", "likes"), ("comments", "comments"), ("shares", "shares"),
          ("saves", "saves"))  # fmt: skip


class Instagram:
    kind = "instagram"
    lookback_days = 3

    def __init__(self, config: dict[str, str], secret: str, base_url: str, http: Http, tz: str) -> None:
        self.account, self.base = config["account"], base_url
        self.graph = Graph(base_url, secret, http, "Instagram")

    def pull(self, window: Window) -> Pulled:
        pulled = Pulled()
        url = f"{self.base}{self.account}/insights"
        for name, metric in DAY_SERIES:
            try:
                for span in spans(window, 30):
                    documents = self.graph.pages(url, day_params(name, span))
                    pulled.rows.extend(day_series(documents, metric, "instagram", span))
            except Refused as exc:
                pulled.skipped.append(f"{name} ({metric}): refused by Instagram — {exc}")
        for name, metric in TOTALS:
            try:
                day = window.start
                while day <= window.end:
                    params = {**day_params(name, Window(day, day)), "metric_type": "total_value"}
                    for series in self.graph.get(url, params).get("data", []):
                        value = (series.get("total_value") or {}).get("value")
                        if isinstance(value, int | float) and not isinstance(value, bool):
                            pulled.rows.append(
                                (metric, (("network", "instagram"),), day.isoformat(), float(value))
                            )
                    day += timedelta(days=1)
                    if self.graph.busy:
                        raise RateLimited(
                            "Instagram's usage for this app is above 90%; the next sync goes on from here."
                        )
            except Refused as exc:
                pulled.skipped.append(f"{name} ({metric}): refused by Instagram — {exc}")
        account = self.graph.get(f"{self.base}{self.account}", {"fields": "followers_count,username"})
        if isinstance(account.get("followers_count"), int):
            pulled.rows.append(
                (
                    "followers",
                    (("network", "instagram"),),
                    window.end.isoformat(),
                    float(account["followers_count"]),
                )
            )
        return pulled

    def check(self, yesterday: date) -> str:
        account = self.graph.get(f"{self.base}{self.account}", {"fields": "username,followers_count"})
        return f"Instagram account @{account.get('username', self.account)} answers ({account.get('followers_count', '?'):,} followers)."

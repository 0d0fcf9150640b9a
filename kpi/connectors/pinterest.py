"""Pinterest through API v5: `GET /user_account/analytics` (at most 90 days back, UTC days) and the
account's `follower_count` stored daily. Only `READY` days are final: a sync writes the others as
they are and starts the next one from the first day that was not ready, so it is read again."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from .base import Http, Pulled, RateLimited, SourceError, TokenExpired, Window

METRIC_TYPES = "IMPRESSION,SAVE,PIN_CLICK,OUTBOUND_CLICK"
MAX_DAYS_BACK = 89


class Pinterest:
    kind = "pinterest"
    lookback_days = 0  # days not yet READY are re-read instead (state stops before them)

    def __init__(self, config: dict[str, str], secret: str, base_url: str, http: Http, tz: str) -> None:
        self.base, self.token, self.http = base_url, secret, http

    def _get(self, path: str, params: dict[str, str] | None = None) -> Any:
        response = self.http.call(
            "GET", f"{self.base}{path}", params=params, headers={"Authorization": f"Bearer {self.token}"}
        )
        if response.status_code == 401:
            raise TokenExpired("Pinterest refused the token. Connect the source again.")
        if response.status_code == 429:
            raise RateLimited("Pinterest asked kpibot to slow down; the next sync goes on from here.")
        if response.status_code != 200:
            raise SourceError(f"Pinterest answered {response.status_code}.")
        return response.json()

    def pull(self, window: Window) -> Pulled:
        pulled = Pulled()
        start = max(window.start, window.end - timedelta(days=MAX_DAYS_BACK))
        params = {
            "start_date": start.isoformat(),
            "end_date": window.end.isoformat(),
            "metric_types": METRIC_TYPES,
        }
        document = self._get("user_account/analytics", params)
        dims = (("network", "pinterest"),)
        first_unready: str | None = None
        for point in sorted(
            (document.get("all") or {}).get("daily_metrics", []), key=lambda p: p.get("date", "")
        ):
            day, metrics = str(point.get("date", ""))[:10], point.get("metrics") or {}
            if point.get("data_status") != "READY" and first_unready is None:
                first_unready = day
            if "IMPRESSION" in metrics:
                pulled.rows.append(("impressions", dims, day, float(metrics["IMPRESSION"])))
            if "SAVE" in metrics:
                pulled.rows.append(("saves", dims, day, float(metrics["SAVE"])))
            clicks = [float(metrics[k]) for k in ("PIN_CLICK", "OUTBOUND_CLICK") if k in metrics]
            if clicks:
                pulled.rows.append(("clicks", dims, day, sum(clicks)))
        if first_unready:
            pulled.state["through"] = (date.fromisoformat(first_unready) - timedelta(days=1)).isoformat()
        account = self._get("user_account")
        if isinstance(account.get("follower_count"), int):
            pulled.rows.append(("followers", dims, window.end.isoformat(), float(account["follower_count"])))
        return pulled

    def check(self, yesterday: date) -> str:
        account = self._get("user_account")
        return f"Pinterest account {account.get('username', '?')} answers ({account.get('follower_count', '?'):,} followers)."

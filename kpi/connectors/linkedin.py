"""A LinkedIn Page through the Community Management API: share statistics and follower gains by
DAY (time ranges in epoch milliseconds, UTC), and the follower count of `networkSizes` stored
daily. LinkedIn's data settles two days late, so windows end two days ago; a 429 means the day's
quota is spent, and the next day's sync goes on."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from .base import Http, Pulled, RateLimited, SourceError, TokenExpired, Window
from .versions import LINKEDIN

SHARES = (("impressionCount", "impressions"), ("uniqueImpressionsCount", "organic_reach"), ("clickCount", "clicks"),
          ("likeCount", "likes"), ("commentCount", "comments"), ("shareCount", "shares"))  # fmt: skip


def _ms(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)


def _day(ms: object) -> str:
    return datetime.fromtimestamp(int(ms) / 1000, tz=UTC).date().isoformat()  # type: ignore[arg-type]


class LinkedIn:
    kind = "linkedin"
    lookback_days = 3
    lag_days = 1  # windows end at today - 2 days: the day before yesterday

    def __init__(self, config: dict[str, str], secret: str, base_url: str, http: Http, tz: str) -> None:
        self.urn = f"urn:li:organization:{config['organization']}"
        self.base, self.token, self.http = base_url, secret, http

    def _get(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.token}", "Linkedin-Version": LINKEDIN,
                   "X-Restli-Protocol-Version": "2.0.0"}  # fmt: skip
        response = self.http.call("GET", f"{self.base}{path}", params=params, headers=headers)
        if response.status_code == 401:
            raise TokenExpired("LinkedIn refused the token (it lasts 60 days). Connect the source again.")
        if response.status_code == 429:
            raise RateLimited(
                "LinkedIn's daily quota for this app is spent; tomorrow's sync goes on from here."
            )
        if response.status_code == 403:
            raise SourceError("LinkedIn says the token's member is not an administrator of this Page.")
        if response.status_code != 200:
            raise SourceError(f"LinkedIn answered {response.status_code}.")
        return response.json()

    def pull(self, window: Window) -> Pulled:
        end = window.end
        pulled = Pulled()
        dims = (("network", "linkedin"),)
        interval = {"timeIntervals.timeGranularityType": "DAY", "timeIntervals.timeRange.start": str(_ms(window.start)),
                    "timeIntervals.timeRange.end": str(_ms(end + timedelta(days=1)))}  # fmt: skip
        shares = self._get(
            "organizationalEntityShareStatistics",
            {"q": "organizationalEntity", "organizationalEntity": self.urn, **interval},
        )
        for element in shares.get("elements", []):
            day, stats = _day(element["timeRange"]["start"]), element.get("totalShareStatistics") or {}
            pulled.rows += [
                (metric, dims, day, float(stats[field]))
                for field, metric in SHARES
                if isinstance(stats.get(field), int | float)
            ]
        followers = self._get(
            "organizationalEntityFollowerStatistics",
            {"q": "organizationalEntity", "organizationalEntity": self.urn, **interval},
        )
        for element in followers.get("elements", []):
            gains = element.get("followerGains") or {}
            gain = float(gains.get("organicFollowerGain", 0)) + float(gains.get("paidFollowerGain", 0))
            pulled.rows.append(("new_followers", dims, _day(element["timeRange"]["start"]), gain))
        size = self._get(f"networkSizes/{self.urn}", {"edgeType": "COMPANY_FOLLOWED_BY_MEMBER"})
        if isinstance(size.get("firstDegreeSize"), int):
            pulled.rows.append(("followers", dims, end.isoformat(), float(size["firstDegreeSize"])))
        return pulled

    def check(self, yesterday: date) -> str:
        size = self._get(f"networkSizes/{self.urn}", {"edgeType": "COMPANY_FOLLOWED_BY_MEMBER"})
        return f"LinkedIn Page {self.urn.rsplit(':', 1)[1]} answers ({size.get('firstDegreeSize', '?'):,} followers)."

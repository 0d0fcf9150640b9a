"""Meta Ads through the Marketing API (`GET /act_{id}/insights?level=campaign&time_increment=1`).

Numbers come as JSON strings; leads are the lead actions of `actions[]`; pages are followed by
their `paging.next`. Meta keeps revising ads data for 28 days, so each sync re-reads them.
"""

from __future__ import annotations

import json
from datetime import date

from ..names import dimension_value, snake
from .base import Http, Pulled, RateLimited, SourceError, Window
from .graph import Graph

FIELDS = "campaign_name,spend,impressions,reach,inline_link_clicks,actions"
NUMBERS = (
    ("spend", "spend"),
    ("impressions", "ad_impressions"),
    ("reach", "paid_reach"),
    ("inline_link_clicks", "ad_clicks"),
)
LEAD_ACTIONS = {
    "lead",
    "onsite_conversion.lead_grouped",
    "offsite_conversion.fb_pixel_lead",
    "leadgen_grouped",
}


class MetaAds:
    kind = "meta_ads"
    lookback_days = 28

    def __init__(self, config: dict[str, str], secret: str, base_url: str, http: Http, tz: str) -> None:
        account = config["account"]
        self.account = account if account.startswith("act_") else f"act_{account}"
        self.base = base_url
        self.graph = Graph(base_url, secret, http, "Meta Ads")

    def pull(self, window: Window) -> Pulled:
        pulled = Pulled()
        params = {"level": "campaign", "time_increment": "1", "fields": FIELDS, "limit": "500",
                  "time_range": json.dumps({"since": window.start.isoformat(), "until": window.end.isoformat()})}  # fmt: skip
        for document in self.graph.pages(f"{self.base}{self.account}/insights", params):
            for row in document.get("data", []):
                day = str(row.get("date_start", ""))[:10]
                campaign = snake(dimension_value(str(row.get("campaign_name") or ""))) or "unnamed"
                dims = (("campaign", campaign), ("network", "meta_ads"))
                for field, metric in NUMBERS:
                    if row.get(field) not in (None, ""):
                        pulled.rows.append((metric, dims, day, _number(row[field], field)))
                leads = sum(
                    _number(a.get("value"), "actions")
                    for a in row.get("actions") or []
                    if a.get("action_type") in LEAD_ACTIONS
                )
                if row.get("actions") is not None:
                    pulled.rows.append(("leads", dims, day, leads))
            if self.graph.busy:
                raise RateLimited(
                    "Meta's usage for this ad account is above 90%; the next sync goes on from here."
                )
        return pulled

    def check(self, yesterday: date) -> str:
        account = self.graph.get(f"{self.base}{self.account}", {"fields": "name,currency"})
        return f"Meta ad account “{account.get('name', self.account)}” answers (currency {account.get('currency', '?')})."


def _number(value: object, field: str) -> float:
    try:
        return float(str(value))
    except ValueError:
        raise SourceError(f"Meta Ads sent `{str(value)[:20]}` for {field}, which is not a number.") from None

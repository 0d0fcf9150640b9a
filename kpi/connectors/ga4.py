"""Google Analytics 4 through the Data API (`properties/{id}:runReport`), with a service account.

The token comes from google-auth, which signs a JWT with the service account's key and exchanges it
at the `token_uri` written in the credentials file. The rows are read as the GA4 CSV is: through the
GA4 profile of the format registry, so sessions, bounces (sessions minus engaged sessions),
conversions, revenue and the sessions by channel come out exactly as from a download.
"""

from __future__ import annotations

import json
from typing import Any

from ..sources.registry import GA4 as GA4_PROFILE
from ..sources.tables import ReadContext, Table
from ..sources.values import CellError, Numbers
from .base import Http, Pulled, RateLimited, SourceError, TokenExpired, Window
from .versions import GA4_DATA_API

SCOPE = "https://www.googleapis.com/auth/analytics.readonly"
PAGE_ROWS = 100_000
# The API's names, as the GA4 CSV download heads the same columns.
FIELDS = {
    "date": "Date",
    "sessionDefaultChannelGroup": "Session default channel group",
    "sessions": "Sessions",
    "engagedSessions": "Engaged sessions",
    "keyEvents": "Key events",
    "totalRevenue": "Total revenue",
}
DIMENSIONS = ["date", "sessionDefaultChannelGroup"]
METRICS = ["sessions", "engagedSessions", "keyEvents", "totalRevenue"]


class GA4:
    kind = "ga4"
    lookback_days = 3

    def __init__(self, config: dict[str, str], secret: str, base_url: str, http: Http, tz: str) -> None:
        self.property = config["property"]
        self.credentials = json.loads(secret)
        self.base, self.http, self.tz = base_url, http, tz
        self._token: str | None = None

    def _bearer(self) -> str:
        if self._token is None:
            from google.auth.exceptions import RefreshError
            from google.auth.transport.requests import Request
            from google.oauth2 import service_account

            try:
                creds = service_account.Credentials.from_service_account_info(
                    self.credentials, scopes=[SCOPE]
                )
                creds.refresh(Request(self.http.session))
            except (RefreshError, ValueError) as exc:
                raise TokenExpired(
                    f"Google refused the service account's key ({type(exc).__name__}). Make a new key for the "
                    "service account and connect the source again."
                ) from None
            self._token = creds.token
        return self._token

    def _report(self, window: Window, offset: int, limit: int) -> dict[str, Any]:
        url = f"{self.base}{GA4_DATA_API}/properties/{self.property}:runReport"
        body = {
            "dateRanges": [{"startDate": window.start.isoformat(), "endDate": window.end.isoformat()}],
            "dimensions": [{"name": d} for d in DIMENSIONS],
            "metrics": [{"name": m} for m in METRICS],
            "limit": limit,
            "offset": offset,
            "keepEmptyRows": False,
        }
        response = self.http.call(
            "POST", url, json=body, headers={"Authorization": f"Bearer {self._bearer()}"}
        )
        try:
            document = response.json()
        except ValueError:
            document = {}
        error = document.get("error") or {}
        if response.status_code == 401:
            raise TokenExpired("GA4 refused the service account's token. Connect the source again.")
        if response.status_code == 429 or error.get("status") == "RESOURCE_EXHAUSTED":
            raise RateLimited("GA4's quota for this property is used up for now; the next sync goes on.")
        if response.status_code == 403:
            raise SourceError(
                f"The service account cannot read GA4 property {self.property}: in GA4, Admin → Property access "
                "management, add its e-mail as a Viewer."
            )
        if response.status_code != 200:
            raise SourceError(
                f"GA4 answered {response.status_code}: {error.get('message', 'no detail')[:200]}"
            )
        return document

    def pull(self, window: Window, page_rows: int = PAGE_ROWS) -> Pulled:
        """Every row of the window, page by page: the offset advances by the rows received (a page
        may hold fewer rows than asked), until `rowCount` is reached."""
        pulled = Pulled()
        offset, total, table = 0, None, None
        while total is None or offset < total:
            document = self._report(window, offset, page_rows)
            total = int(document.get("rowCount") or 0)
            rows = document.get("rows") or []
            if table is None:
                header = [FIELDS[h["name"]] for h in document.get("dimensionHeaders", [])] + [
                    FIELDS[h["name"]] for h in document.get("metricHeaders", [])
                ]
                zone = (document.get("metadata") or {}).get("timeZone") or self.tz
                table = Table(
                    GA4_PROFILE,
                    header,
                    [],
                    ReadContext(f"GA4 property {self.property}", zone, {}, "", Numbers()),
                )
            for row in rows:
                cells = [v.get("value", "") for v in row.get("dimensionValues", [])] + [
                    v.get("value", "") for v in row.get("metricValues", [])
                ]
                try:
                    pulled.rows.extend(table.observations(cells))
                except CellError as exc:
                    raise SourceError(f"GA4 sent a row kpibot cannot read: {exc}") from None
            if not rows:
                break
            offset += len(rows)
        return pulled

    def check(self, yesterday) -> str:  # noqa: ANN001
        pulled = self.pull(Window(yesterday, yesterday))
        sessions = sum(v for m, _, _, v in pulled.rows if m == "sessions")
        return f"GA4 property {self.property} answers: {sessions:,.0f} sessions on {yesterday.isoformat()}."

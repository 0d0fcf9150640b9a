"""Stand-ins for the platforms' APIs on 127.0.0.1, answering in their documented shapes and errors:
Google's token endpoint (the service-account JWT grant), the GA4 Data API's runReport with its
paging and quota errors, and the Graph API's Page Insights with cursors, #100 and #190."""

from __future__ import annotations

import json
import threading
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

GOOGLE_TOKEN = "ya29.stand-in-token"


class Platforms:
    def __init__(self) -> None:
        self.ga4_rows: dict[tuple[str, str], tuple[int, int, int, float]] = {}
        self.ga4_page_cap = 3  # the API caps a page: fewer rows than the limit asked
        self.ga4_time_zone = "Europe/Paris"
        self.ga4_error: tuple[int, dict[str, Any]] | None = None
        self.graph: dict[str, dict[str, float]] = {}  # Graph metric -> {day: value}
        self.graph_refused: set[str] = set()
        self.graph_expired = False
        self.graph_page_size = 30
        self.graph_usage: int | None = None  # the call_count share sent in x-app-usage
        self.page_tokens = {"PAGE_TOKEN_1", "IG_TOKEN", "ADS_TOKEN"}
        self.token_refused = False
        self.instagram_totals: dict[str, dict[str, float]] = {}  # metric -> {day: total}
        self.instagram_followers = 1234
        self.ads_rows: list[dict[str, Any]] = []  # Marketing API insights rows, numbers as strings
        self.ads_page_size = 2
        self.linkedin_shares: dict[str, dict[str, float]] = {}  # day -> totalShareStatistics
        self.linkedin_gains: dict[str, tuple[int, int]] = {}  # day -> (organic, paid)
        self.linkedin_followers = 4321
        self.linkedin_quota_spent = False
        self.pinterest_days: dict[str, tuple[str, dict[str, int]]] = {}  # day -> (data_status, metrics)
        self.pinterest_followers = 777
        self.requests: list[dict[str, Any]] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        # A short poll: shutdown() waits for it, and every test stops its stand-in.
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> Platforms:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def calls(self, path_part: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if path_part in r["path"]]

    # -- GA4 -------------------------------------------------------------------------------------------

    def _token(self, body: bytes) -> tuple[int, dict[str, Any]]:
        form = parse_qs(body.decode())
        if self.token_refused or form.get("grant_type") != ["urn:ietf:params:oauth:grant-type:jwt-bearer"]:
            return 400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
        return 200, {"access_token": GOOGLE_TOKEN, "expires_in": 3599, "token_type": "Bearer"}

    def _run_report(self, headers: dict[str, str], body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if headers.get("authorization") != f"Bearer {GOOGLE_TOKEN}":
            return 401, {
                "error": {
                    "code": 401,
                    "message": "Request had invalid authentication credentials.",
                    "status": "UNAUTHENTICATED",
                }
            }
        if self.ga4_error:
            return self.ga4_error
        span = body["dateRanges"][0]
        start, end = span["startDate"], span["endDate"]
        keys = sorted(k for k in self.ga4_rows if start <= f"{k[0][:4]}-{k[0][4:6]}-{k[0][6:]}" <= end)
        offset, limit = int(body.get("offset", 0)), int(body.get("limit", 10000))
        page = keys[offset : offset + min(limit, self.ga4_page_cap)]
        rows = [
            {
                "dimensionValues": [{"value": day}, {"value": channel}],
                "metricValues": [{"value": str(v)} for v in self.ga4_rows[(day, channel)]],
            }
            for day, channel in page
        ]
        return 200, {
            "dimensionHeaders": [{"name": "date"}, {"name": "sessionDefaultChannelGroup"}],
            "metricHeaders": [
                {"name": "sessions", "type": "TYPE_INTEGER"},
                {"name": "engagedSessions", "type": "TYPE_INTEGER"},
                {"name": "keyEvents", "type": "TYPE_FLOAT"},
                {"name": "totalRevenue", "type": "TYPE_CURRENCY"},
            ],
            "rows": rows,
            "rowCount": len(keys),
            "metadata": {"currencyCode": "EUR", "timeZone": self.ga4_time_zone},
            "kind": "analyticsData#runReport",
        }

    # -- Graph -----------------------------------------------------------------------------------------

    def _graph(
        self, path: str, query: dict[str, list[str]], headers: dict[str, str]
    ) -> tuple[int, dict[str, Any]]:
        token = headers.get("authorization", "").removeprefix("Bearer ")
        if self.graph_expired or token not in self.page_tokens:
            return 400, {
                "error": {
                    "message": "Error validating access token: Session has expired.",
                    "type": "OAuthException",
                    "code": 190,
                    "error_subcode": 463,
                }
            }
        parts = [p for p in path.split("/") if p]
        if parts[-1] != "insights":
            return 200, {"name": "Demo Page", "id": parts[-1], "username": "demo", "followers_count": self.instagram_followers,
                         "currency": "EUR"}  # fmt: skip
        if parts[-2].startswith("act_"):
            return self._ads(parts[-2], query)
        metrics = query["metric"][0].split(",")
        if len(metrics) > 1:
            if any(m in self.graph_refused for m in metrics):
                return 400, {
                    "error": {
                        "message": "(#100) The value must be a valid insights metric",
                        "type": "OAuthException",
                        "code": 100,
                    }
                }
            documents = [self._graph(path, {**query, "metric": [m]}, headers)[1] for m in metrics]
            return 200, {"data": [d for doc in documents for d in doc["data"]]}
        metric = metrics[0]
        if query.get("metric_type") == ["total_value"]:
            value = self.instagram_totals.get(metric, {}).get(query["since"][0])
            data = [
                {
                    "name": metric,
                    "period": "day",
                    "total_value": {"value": value},
                    "id": f"{parts[-2]}/insights/{metric}/day",
                }
            ]
            return 200, {"data": data if value is not None else []}
        if metric in self.graph_refused:
            return 400, {
                "error": {
                    "message": "(#100) The value must be a valid insights metric",
                    "type": "OAuthException",
                    "code": 100,
                }
            }
        since, until = date.fromisoformat(query["since"][0]), date.fromisoformat(query["until"][0])
        points = []
        day = since
        while day < until:
            value = self.graph.get(metric, {}).get(day.isoformat())
            if value is not None:
                end_time = (day + timedelta(days=1)).isoformat() + "T07:00:00+0000"
                points.append({"value": value, "end_time": end_time})
            day += timedelta(days=1)
        after = int(query.get("after", ["0"])[0])
        page = points[after : after + self.graph_page_size]
        document: dict[str, Any] = {
            "data": [
                {"name": metric, "period": "day", "values": page, "id": f"{parts[-2]}/insights/{metric}/day"}
            ]
        }
        if after + self.graph_page_size < len(points):
            nxt = f"{self.url}v25.0/{parts[-2]}/insights?metric={metric}&period=day&since={since}&until={until}&after={after + self.graph_page_size}"
            document["paging"] = {"next": nxt}
        return 200, document

    def _ads(self, account: str, query: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        span = json.loads(query["time_range"][0])
        rows = [r for r in self.ads_rows if span["since"] <= r["date_start"] <= span["until"]]
        after = int(query.get("after", ["0"])[0])
        page = rows[after : after + self.ads_page_size]
        document: dict[str, Any] = {
            "data": page,
            "paging": {"cursors": {"before": "MA==", "after": str(after + len(page))}},
        }
        if after + len(page) < len(rows):
            rest = "&".join(f"{k}={v[0]}" for k, v in query.items() if k != "after")
            document["paging"]["next"] = (
                f"{self.url}v25.0/{account}/insights?{rest}&after={after + len(page)}"
            )
        return 200, document

    # -- LinkedIn and Pinterest ------------------------------------------------------------------------

    def _linkedin(
        self, path: str, query: dict[str, list[str]], headers: dict[str, str]
    ) -> tuple[int, dict[str, Any]]:
        if headers.get("x-restli-protocol-version") != "2.0.0" or not headers.get("linkedin-version"):
            return 400, {"message": "A version header is required", "status": 400}
        if headers.get("authorization") != "Bearer LI_TOKEN":
            return 401, {"serviceErrorCode": 65600, "message": "Invalid access token", "status": 401}
        if self.linkedin_quota_spent:
            return 429, {
                "message": "Resource level throttle APPLICATION DAY limit for calls to this resource is reached.",
                "status": 429,
            }
        if "networkSizes" in path:
            return 200, {"firstDegreeSize": self.linkedin_followers}
        start = int(query["timeIntervals.timeRange.start"][0]) // 1000
        end = int(query["timeIntervals.timeRange.end"][0]) // 1000
        from datetime import UTC, datetime

        days = []
        moment = start
        while moment < end:
            days.append((moment, datetime.fromtimestamp(moment, tz=UTC).date().isoformat()))
            moment += 86400
        elements = []
        for moment, day in days:
            time_range = {"start": moment * 1000, "end": (moment + 86400) * 1000}
            if "ShareStatistics" in path and day in self.linkedin_shares:
                elements.append({"organizationalEntity": query["organizationalEntity"][0], "timeRange": time_range,
                                 "totalShareStatistics": {**self.linkedin_shares[day], "engagement": 0.0123}})  # fmt: skip
            if "FollowerStatistics" in path and day in self.linkedin_gains:
                organic, paid = self.linkedin_gains[day]
                elements.append({"organizationalEntity": query["organizationalEntity"][0], "timeRange": time_range,
                                 "followerGains": {"organicFollowerGain": organic, "paidFollowerGain": paid}})  # fmt: skip
        return 200, {"paging": {"count": 10, "start": 0, "links": []}, "elements": elements}

    def _pinterest(
        self, path: str, query: dict[str, list[str]], headers: dict[str, str]
    ) -> tuple[int, dict[str, Any]]:
        if headers.get("authorization") != "Bearer PIN_TOKEN":
            return 401, {"code": 2, "message": "Authentication failed."}
        if path.endswith("/user_account"):
            return 200, {
                "username": "demo",
                "follower_count": self.pinterest_followers,
                "account_type": "BUSINESS",
            }
        start, end = query["start_date"][0], query["end_date"][0]
        daily = [{"date": day, "data_status": status, "metrics": metrics}
                 for day, (status, metrics) in sorted(self.pinterest_days.items()) if start <= day <= end]  # fmt: skip
        return 200, {"all": {"daily_metrics": daily, "summary_metrics": {}}}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        platforms = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _answer(self, status: int, document: dict[str, Any]) -> None:
                body = json.dumps(document).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                if platforms.graph_usage is not None and self.path.startswith("/v25.0/"):
                    usage = {"call_count": platforms.graph_usage, "total_cputime": 1, "total_time": 1}
                    self.send_header("x-app-usage", json.dumps(usage))
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _record(self, body: bytes) -> tuple[str, dict[str, list[str]], dict[str, str]]:
                split = urlsplit(self.path)
                headers = {k.lower(): v for k, v in self.headers.items()}
                platforms.requests.append({"method": self.command, "path": split.path, "query": parse_qs(split.query),
                                           "headers": headers, "body": body.decode(errors="replace")})  # fmt: skip
                return split.path, parse_qs(split.query), headers

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                path, _, headers = self._record(body)
                if path == "/token":
                    self._answer(*platforms._token(body))
                elif path.endswith(":runReport"):
                    self._answer(*platforms._run_report(headers, json.loads(body)))
                else:
                    self._answer(404, {"error": {"message": "not found"}})

            def do_GET(self) -> None:
                path, query, headers = self._record(b"")
                if path.startswith("/v25.0/"):
                    self._answer(*platforms._graph(path, query, headers))
                elif path.startswith("/rest/"):
                    self._answer(*platforms._linkedin(path, query, headers))
                elif path.startswith("/v5/"):
                    self._answer(*platforms._pinterest(path, query, headers))
                else:
                    self._answer(404, {"error": {"message": "not found"}})

        return Handler


def service_account_file(path, token_uri: str) -> str:  # noqa: ANN001
    """A service account key as Google writes it, with a real RSA key (google-auth signs with it)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    document = {
        "type": "service_account",
        "project_id": "demo-project",
        "private_key_id": "0123456789abcdef",
        "private_key": pem.decode(),
        "client_email": "kpibot@demo-project.iam.gserviceaccount.com",
        "client_id": "1234567890",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": token_uri,
    }
    path.write_text(json.dumps(document))
    return document["private_key"]

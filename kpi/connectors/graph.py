"""Meta's Graph API as Facebook Pages, Instagram accounts and Meta Ads share it: the token in the
Authorization header (never in a URL that could be logged), errors sorted by their codes, the usage
headers watched, and `paging.next` followed only while it points at the Graph itself."""

from __future__ import annotations

import json
from typing import Any

from .base import Http, RateLimited, SourceError, TokenExpired, same_origin

RATE_CODES = {4, 17, 32, 613, 80004}
USAGE_LIMIT = 90


class Refused(Exception):
    """Graph error #100 for one metric: skipped and named, the others go on."""


class Graph:
    def __init__(self, base: str, token: str, http: Http, platform: str) -> None:
        self.base, self.token, self.http, self.platform = base, token, http, platform
        self.busy = False  # the usage headers passed 90%: stop after this call

    def get(self, url: str, params: dict[str, str] | None = None) -> dict[str, Any]:
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
                    f"{self.platform} says the token has expired or was revoked. Connect the source again."
                )
            if code in RATE_CODES or response.status_code == 429:
                raise RateLimited(
                    f"{self.platform} asked kpibot to slow down; the next sync goes on from here."
                )
            if code == 100:
                raise Refused(str(error.get("message", "invalid metric"))[:200])
            raise SourceError(f"{self.platform} answered: {str(error.get('message', 'an error'))[:200]}")
        if response.status_code != 200:
            raise SourceError(f"{self.platform} answered {response.status_code}.")
        if usage(response.headers) > USAGE_LIMIT:
            self.busy = True
        return document

    def pages(self, url: str, params: dict[str, str]) -> list[dict[str, Any]]:
        """Every page of a list, following `paging.next` while it stays on the Graph."""
        documents = []
        next_url: str | None = url
        next_params: dict[str, str] | None = params
        while next_url:
            document = self.get(next_url, next_params)
            documents.append(document)
            following = (document.get("paging") or {}).get("next")
            next_url, next_params = (
                (following, None) if following and same_origin(following, self.base) else (None, None)
            )
        return documents


def usage(headers: Any) -> float:
    """The highest share Meta reports in `x-app-usage` / `x-business-use-case-usage`."""
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

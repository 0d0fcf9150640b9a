"""What every connector shares: the HTTP client with timeouts and bounded retries, the errors a
sync can end with, and what a pull returns.

Failures are sorted as SOURCES §4 says: an expired or revoked token stops the source until it is
connected again; a rate limit or quota stops this run cleanly (the next one resumes from the saved
state); 5xx and dropped connections are retried a few times with back-off; a metric the platform
refuses is skipped and named, never a failed sync.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from ..errors import KpiError

Observation = tuple[str, tuple[tuple[str, str], ...], str, float]
TIMEOUT_SECONDS = 30.0
RETRIES = 3


class SourceError(KpiError):
    """A sync that could not finish, said for the marketer."""


class TokenExpired(SourceError):
    """The platform refused the token: the source needs connecting again."""


class RateLimited(SourceError):
    """The platform asked to slow down: this run stops, the next resumes."""


@dataclass
class Window:
    start: date
    end: date


@dataclass
class Pulled:
    rows: list[Observation] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    state: dict[str, str] = field(default_factory=dict)  # what the connector wants to remember


class Http:
    """requests with a timeout on every call and bounded retries on 5xx and dropped connections.
    ``sleep`` is passed in so tests do not wait for real back-off."""

    def __init__(self, sleep: Callable[[float], None] = time.sleep, retries: int = RETRIES) -> None:
        import requests

        self.session = requests.Session()
        self.sleep, self.retries = sleep, retries

    def call(self, method: str, url: str, **kwargs: Any) -> Any:
        import requests

        for attempt in range(self.retries + 1):
            try:
                response = self.session.request(
                    method, url, timeout=TIMEOUT_SECONDS, allow_redirects=False, **kwargs
                )
            except (requests.ConnectionError, requests.Timeout):
                if attempt == self.retries:
                    raise SourceError(
                        f"{urlsplit(url).netloc} could not be reached ({self.retries + 1} tries)."
                    ) from None
                self.sleep(2**attempt)
                continue
            if response.status_code >= 500 and attempt < self.retries:
                self.sleep(2**attempt)
                continue
            return response
        raise AssertionError("unreachable")


def same_origin(url: str, base: str) -> bool:
    """A `next` page URL from a response is followed only if it points where the API is."""
    a, b = urlsplit(url), urlsplit(base)
    return (a.scheme, a.hostname, a.port) == (b.scheme, b.hostname, b.port)

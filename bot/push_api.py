"""`POST /api/v1/observations`: the push API for pipelines, behind a per-team bearer token.

The body (at most 10 MB, read within the server's time limit) is JSON or CSV; the token says which
team it writes to, and nothing in the body can say otherwise. Every answer is JSON: 200 with the
import's summary, 401 without a valid token, 413 over the size, 415 for another type, 422 with each
invalid row when nothing was written, 503 when the database stays busy.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from slack_bolt import BoltResponse

from kpi import (
    MAX_PUSH_BYTES,
    Busy,
    ImportFailed,
    ImportSummary,
    KpiError,
    Store,
    UnsupportedBody,
    push,
    team_of,
)

from .config import Settings
from .deps import user_message

log = logging.getLogger("kpibot.push")
PUSH_PATH = "/api/v1/observations"


def answer(status: int, document: dict[str, object]) -> BoltResponse:
    return BoltResponse(
        status=status, body=json.dumps(document), headers={"content-type": "application/json;charset=utf-8"}
    )


def summary_json(summary: ImportSummary) -> dict[str, object]:
    return {
        "ok": True,
        "format": summary.format,
        "read": summary.read,
        "inserted": summary.inserted,
        "replaced": summary.replaced,
        "unchanged": summary.unchanged,
        "first_day": summary.first_day or None,
        "last_day": summary.last_day or None,
        "rows_per_metric": dict(summary.per_metric),
    }


class PushApi:
    max_body = MAX_PUSH_BYTES

    def __init__(
        self,
        settings: Settings,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        on_write: Callable[[str], None] | None = None,
    ) -> None:
        self.settings, self.clock, self.on_write = settings, clock, on_write
        self._local = threading.local()

    def _store(self) -> Store:
        store = getattr(self._local, "store", None)
        if store is None:
            store = self._local.store = Store(self.settings.db, default_tz=self.settings.tz)
        return store

    def handle(self, raw: bytes, authorization: str, content_type: str) -> BoltResponse:
        scheme, _, token = authorization.partition(" ")
        store = self._store()
        team = team_of(store, token, now=self.clock().isoformat()) if scheme.lower() == "bearer" else None
        if team is None:
            return answer(401, {"ok": False, "error": "a valid `Authorization: Bearer <token>` is needed"})
        try:
            summary = push(store, team, raw, content_type)
        except UnsupportedBody as exc:
            return answer(415, {"ok": False, "error": str(exc)})
        except ImportFailed as exc:
            return answer(422, {"ok": False, "error": str(exc), "problems": exc.problems[:1000]})
        except Busy as exc:
            return answer(503, {"ok": False, "error": str(exc)})
        except KpiError as exc:
            return answer(422, {"ok": False, "error": str(exc)})
        except Exception as exc:  # noqa: BLE001 - logged with a reference, never shown
            text, _ = user_message(exc)
            return answer(500, {"ok": False, "error": text})
        log.info("push for %s: %s", team, summary.counts())
        if self.on_write and (summary.inserted or summary.replaced):
            self.on_write(team)
        return answer(200, summary_json(summary))

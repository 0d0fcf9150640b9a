"""Logging for `kpibot serve`: secrets never reach the log, whatever a library chooses to print."""

from __future__ import annotations

import logging
import re
from typing import TextIO

_TOKENS = re.compile(r"\b(xox[a-z]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+)")


class Redact(logging.Filter):
    """Replaces tokens and the signing secret in every record's final message."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        clean = _TOKENS.sub("[redacted]", text)
        for secret in self.secrets:
            clean = clean.replace(secret, "[redacted]")
        if clean != text:
            record.msg, record.args = clean, None
        return True


def setup(secrets: list[str], level: int = logging.INFO, stream: TextIO | None = None) -> logging.Handler:
    """The process's one log handler (standard error unless ``stream``), redacting ``secrets``."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(Redact(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # Bolt logs a failed signature check with the request body at INFO; our own line says enough.
    logging.getLogger("slack_bolt").setLevel(logging.WARNING)
    logging.getLogger("kpibot.bolt").setLevel(logging.WARNING)
    # APScheduler logs every job added and every run at INFO: 1,000 lines at start for 500 channels.
    # Our digest jobs log their own outcome.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    return handler

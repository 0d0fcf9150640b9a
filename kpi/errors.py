"""Errors a person in the chat can act on.

Every message is written for the person who typed the command: it says what was wrong and, where
there is one, shows the right form. Surfaces print ``str(error)`` as it is.
"""

from __future__ import annotations


class KpiError(Exception):
    """Base of every error kpibot explains to the user instead of logging."""


class UnknownKpi(KpiError):
    pass


class InvalidPeriod(KpiError):
    pass


class InvalidCommand(KpiError):
    pass


class InvalidFormula(KpiError):
    pass


class InvalidTarget(KpiError):
    pass


class InvalidFilter(KpiError):
    pass


class NotAllowed(KpiError):
    pass


class NotFound(KpiError):
    pass


class Busy(KpiError):
    """Another writer held the database for longer than a writer waits: nothing was written."""


class ImportFailed(KpiError):
    """A CSV file could not be imported; ``problems`` holds one ``line N: reason`` per bad row."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


class UnsupportedBody(KpiError):
    """A pushed body that is neither JSON nor CSV (the push API answers 415)."""

"""The SQLite store: observations, team KPI definitions, goals, subscriptions and team settings.

``Store`` is one connection (connection.py) with the queries of each job in a module of its own:
observations and their derived tables, team records, digests and their ledger, alerts and theirs, the event ids
already handled, the push API's tokens, and connected sources. Every query names the team it serves.
"""

from __future__ import annotations

from .alerts import Alert, AlertRecords, Firing
from .connection import BUSY_SECONDS, SCHEMA_VERSION, Connection
from .digests import Delivery, DigestRecords, Subscription
from .events import EventLedger
from .observations import (
    CUBE_KEYS_SQL,
    EXISTING_SERIES_SQL,
    OLD_VALUES_SQL,
    Agg,
    ObservationTables,
    Series,
    dims_key,
)
from .sources import Source, SourceRecords
from .team import Definition, Goal, TeamRecords, TeamSettings
from .tokens import ApiToken, TokenRecords


class Store(
    AlertRecords,
    ObservationTables,
    TeamRecords,
    DigestRecords,
    EventLedger,
    TokenRecords,
    SourceRecords,
    Connection,
):
    """One team-scoped view of the database file, for one thread of work."""


__all__ = [
    "Alert",
    "Firing",
    "BUSY_SECONDS",
    "CUBE_KEYS_SQL",
    "EXISTING_SERIES_SQL",
    "OLD_VALUES_SQL",
    "SCHEMA_VERSION",
    "Agg",
    "ApiToken",
    "Definition",
    "Delivery",
    "Goal",
    "Series",
    "Source",
    "Store",
    "Subscription",
    "TeamSettings",
    "dims_key",
]

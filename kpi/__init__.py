"""The kpibot domain: metric store, KPI catalog and formulas, periods, goals, digests' data.

No Slack, Jinja or scheduler here: the console, the Slack app and the scheduler all call these.
"""

from .answers import Context, answer, kpi_reply
from .catalog import Catalog, Kpi
from .commands import parse
from .engine import Engine, Value
from .errors import (
    ImportFailed,
    InvalidCommand,
    InvalidFilter,
    InvalidFormula,
    InvalidPeriod,
    InvalidTarget,
    KpiError,
    NotAllowed,
    NotFound,
    UnknownKpi,
)
from .importer import ImportSummary, import_csv
from .periods import Period, parse_period
from .query import KpiAnswer, compute_kpi
from .reply import Action, Reply, Table
from .store import Store

__all__ = [
    "Action",
    "Catalog",
    "Context",
    "Engine",
    "ImportFailed",
    "ImportSummary",
    "InvalidCommand",
    "InvalidFilter",
    "InvalidFormula",
    "InvalidPeriod",
    "InvalidTarget",
    "Kpi",
    "KpiAnswer",
    "KpiError",
    "NotAllowed",
    "NotFound",
    "Period",
    "Reply",
    "Store",
    "Table",
    "UnknownKpi",
    "Value",
    "answer",
    "compute_kpi",
    "import_csv",
    "kpi_reply",
    "parse",
    "parse_period",
]

"""The kpibot domain: metric store, KPI catalog and formulas, periods, goals, digests' data.

No Slack, Jinja or scheduler here: the console, the Slack app and the scheduler all call these, and
import them from here only (``from kpi import ...``), so this is the whole API the surfaces use.
"""

from . import format
from .alerts import check as alert_checks
from .alerts.grammar import RemoveAlert, SnoozeAlert
from .answers import Context, answer, goal_line, kpi_reply, period_note
from .catalog import Catalog, Kpi
from .commands import USAGE, KpiQuery, Report, parse, query_from_json, query_json
from .connectors.schedule import due as source_due
from .connectors.secrets import Vault
from .connectors.sync import ARGUMENTS as SOURCE_ARGUMENTS
from .connectors.sync import Urls, connect, describe, disconnect, sync
from .digest import HEADLINE, Digest, build_digest
from .engine import Engine, Value
from .errors import (
    Busy,
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
    UnsupportedBody,
)
from .i18n import _, language, speaking
from .importer import ImportSummary, formats_help, import_file, parse_tag
from .lexicon import command_word
from .names import humanise, kpi_title
from .periods import Period, parse_period, today_in, zone
from .push import MAX_PUSH_BYTES, push
from .query import KpiAnswer, compute_kpi
from .reply import Action, Reply, Table
from .schedule import last_run, next_run, period_of_run
from .store import Store, Subscription
from .tokens import create_token, revoke_token, team_of

__all__ = [
    "_",
    "HEADLINE",
    "SOURCE_ARGUMENTS",
    "MAX_PUSH_BYTES",
    "USAGE",
    "Action",
    "Busy",
    "Catalog",
    "Context",
    "Digest",
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
    "KpiQuery",
    "KpiError",
    "NotAllowed",
    "NotFound",
    "Period",
    "Reply",
    "RemoveAlert",
    "Report",
    "SnoozeAlert",
    "Store",
    "Subscription",
    "Table",
    "UnknownKpi",
    "UnsupportedBody",
    "Urls",
    "Vault",
    "Value",
    "alert_checks",
    "answer",
    "build_digest",
    "command_word",
    "compute_kpi",
    "connect",
    "create_token",
    "describe",
    "disconnect",
    "format",
    "goal_line",
    "formats_help",
    "humanise",
    "import_file",
    "kpi_reply",
    "kpi_title",
    "language",
    "last_run",
    "next_run",
    "parse",
    "parse_period",
    "parse_tag",
    "period_note",
    "period_of_run",
    "push",
    "query_from_json",
    "query_json",
    "revoke_token",
    "source_due",
    "speaking",
    "sync",
    "team_of",
    "today_in",
    "zone",
]

"""The `/kpi` grammar: the text after `/kpi` becomes a command object, or an error showing the right form.

Pure functions of the text: no store, no clock. Every surface (Slack, console, `kpibot ask`) parses
through ``parse`` so they all understand the same commands.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field

from . import lexicon
from .alerts.grammar import USAGE as ALERT_USAGE
from .alerts.grammar import AlertCommand, ListAlerts, parse_alert
from .catalog import UNITS
from .errors import InvalidCommand
from .formula import NAME
from .i18n import LANGUAGES, _
from .limits import MAX_COMMAND_CHARS, storable, value_problem
from .names import snake
from .periods import zone
from .words import Target, parse_number, split_filters, split_words, usage_error

MAX_HOURLY_RATE = 100_000
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CADENCES = ("weekly", "quarterly")
RESERVED = {
    "help",
    "list",
    "goal",
    "goals",
    "record",
    "subscribe",
    "unsubscribe",
    "subscriptions",
    "report",
    "define",
    "undefine",
    "settings",
    "set",
    "sources",
    "alert",
    "alerts",
    "by",
}

USAGE = {
    "kpi": "/kpi <kpi> [period] [by <dimension>] [<dimension>:<value> ...]   e.g. /kpi engagement last quarter by network",
    "goal": "/kpi goal <kpi> <target> [per week|per month|per quarter|by YYYY-MM-DD] [<dimension>:<value> ...]   "
    "e.g. /kpi goal engagement 4.5% per month network:instagram",
    "goal remove": "/kpi goal remove <id>   (ids are in /kpi goals)",
    "record": "/kpi record <metric> <value> [YYYY-MM-DD] [<dimension>:<value> ...]   e.g. /kpi record followers 12500 network:linkedin",
    "subscribe": '/kpi subscribe weekly|quarterly [kpi,kpi,...] [at "mon 09:00"] [tz Area/City]',
    "unsubscribe": "/kpi unsubscribe weekly|quarterly",
    "report": "/kpi report weekly|quarterly [period]",
    "define": "/kpi define <name> = <formula> [as percent|count|ratio|currency|score] [lower is better]   "
    "e.g. /kpi define save_rate = sum(saves) / sum(impressions) as percent",
    "undefine": "/kpi undefine <name>",
    **ALERT_USAGE,
    "set": "/kpi set timezone <Area/City> | /kpi set currency <CODE> | /kpi set hourly_rate <amount> | "
    "/kpi set language en|fr",
}


@dataclass(frozen=True)
class Help:
    topic: str | None = None


@dataclass(frozen=True)
class ListKpis:
    pass


@dataclass(frozen=True)
class KpiQuery:
    kpi: str
    period: str = ""
    by: str | None = None
    filters: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SetGoal:
    kpi: str
    target: Target
    cadence: str = "month"
    deadline: str | None = None
    filters: dict[str, str] = field(default_factory=dict)
    mutating = True


@dataclass(frozen=True)
class ListGoals:
    pass


@dataclass(frozen=True)
class RemoveGoal:
    goal_id: int
    mutating = True


@dataclass(frozen=True)
class Record:
    metric: str
    value: float
    day: str | None = None
    dims: dict[str, str] = field(default_factory=dict)
    mutating = True


@dataclass(frozen=True)
class Subscribe:
    cadence: str
    kpis: tuple[str, ...] = ()
    day: str = "mon"
    time: str = "09:00"
    tz: str | None = None
    mutating = True


@dataclass(frozen=True)
class Unsubscribe:
    cadence: str
    mutating = True


@dataclass(frozen=True)
class ListSubscriptions:
    pass


@dataclass(frozen=True)
class Report:
    cadence: str
    period: str = ""


@dataclass(frozen=True)
class Define:
    name: str
    formula: str
    unit: str = "count"
    better: str = "higher"
    mutating = True


@dataclass(frozen=True)
class Undefine:
    name: str
    mutating = True


@dataclass(frozen=True)
class ShowSettings:
    pass


@dataclass(frozen=True)
class ListSources:
    pass


@dataclass(frozen=True)
class SetSetting:
    key: str
    value: str
    mutating = True


Command = (
    Help
    | ListKpis
    | KpiQuery
    | SetGoal
    | ListGoals
    | RemoveGoal
    | Record
    | Subscribe
    | Unsubscribe
    | ListSubscriptions
    | Report
    | Define
    | Undefine
    | ShowSettings
    | SetSetting
    | AlertCommand
)


def is_mutating(command: Command) -> bool:
    return bool(getattr(command, "mutating", False))


def _usage_error(message: str, form: str) -> InvalidCommand:
    return usage_error(message, USAGE[form])


def parse(text: str) -> Command:
    """Parse the text typed after `/kpi`."""
    text = text.strip()
    if len(text) > MAX_COMMAND_CHARS:
        raise InvalidCommand(
            _(
                "That command is {length} characters long; kpibot reads commands of up to {most}. "
                "`/kpi help` shows what it understands."
            ).format(length=f"{len(text):,}", most=f"{MAX_COMMAND_CHARS:,}")
        )
    if text.startswith("/kpi"):
        text = text[4:].strip()
    if not text or text.lower() in ("help", "?"):
        return Help()
    head, _space, rest = text.partition(" ")
    word = lexicon.command_word(head)
    rest = rest.strip()
    if word == "help":
        return Help(rest.lower() or None)
    if word == "define":
        return _define(rest)
    tokens = split_words(rest)
    if word == "list":
        return ListKpis()
    if word == "goals" and not tokens:
        return ListGoals()
    if word == "goal":
        return _goal(tokens)
    if word == "record":
        return _record(tokens)
    if word == "subscribe":
        return _subscribe(tokens)
    if word == "unsubscribe":
        if len(tokens) != 1 or lexicon.word(tokens[0]) not in CADENCES:
            raise _usage_error(_("Say which digest to stop."), "unsubscribe")
        return Unsubscribe(lexicon.word(tokens[0]))
    if word == "subscriptions":
        return ListSubscriptions()
    if word == "alert":
        return parse_alert(tokens)
    if word == "alerts" and not tokens:
        return ListAlerts()
    if word == "sources" and not tokens:
        return ListSources()
    if word == "report":
        if not tokens or lexicon.word(tokens[0]) not in CADENCES:
            raise _usage_error(_("Say which digest: weekly or quarterly."), "report")
        return Report(lexicon.word(tokens[0]), " ".join(tokens[1:]))
    if word == "undefine":
        if len(tokens) != 1:
            raise _usage_error(_("Name the KPI to retire."), "undefine")
        return Undefine(snake(tokens[0]))
    if word == "settings":
        return ShowSettings()
    if word == "set":
        return _set(tokens)
    return _kpi_query([head, *tokens])


def _filters(tokens: list[str], form: str) -> tuple[list[str], dict[str, str]]:
    return split_filters(tokens, USAGE[form])


def query_text(query: KpiQuery) -> str:
    """The question as someone would type it, quoting values with spaces or quotes: parses back to
    ``query``."""
    words = [query.kpi, query.period] if query.period else [query.kpi]
    if query.by:
        words += ["by", query.by]
    words += [shlex.quote(f"{dim}:{value}") for dim, value in query.filters.items()]
    return " ".join(words)


def query_from_json(text: str) -> KpiQuery:
    """A button's structured question (what ``query_json`` wrote); anything else is an error."""
    try:
        data = json.loads(text)
        filters = data["filters"]
        fields = (data["kpi"], data["period"], data["by"] or "")
        if not isinstance(filters, dict) or not all(
            isinstance(x, str) for x in (*fields, *filters, *filters.values())
        ):
            raise TypeError
    except (ValueError, KeyError, TypeError, RecursionError):
        raise InvalidCommand(_("That button no longer works; ask again with `/kpi`.")) from None
    return KpiQuery(fields[0], fields[1], fields[2] or None, dict(filters))


def query_json(query: KpiQuery) -> str:
    return json.dumps(
        {"kpi": query.kpi, "period": query.period, "by": query.by, "filters": query.filters},
        separators=(",", ":"),
    )


def _kpi_query(tokens: list[str]) -> KpiQuery:
    name, *others = tokens
    others, filters = _filters(others, "kpi")
    by = None
    period_words: list[str] = []
    i = 0
    while i < len(others):
        token = others[i]
        is_by = lexicon.word(token) == "by"
        if is_by and i + 1 < len(others) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", others[i + 1]):
            if by is not None:
                raise _usage_error(_("Only one `by` per question."), "kpi")
            by = snake(lexicon.dimension(others[i + 1]))
            i += 2
            continue
        if is_by:
            raise _usage_error(_("`by` needs a dimension, as in `by network`."), "kpi")
        period_words.append(token)
        i += 1
    return KpiQuery(lexicon.name(name), " ".join(period_words), by, filters)


def parse_target(text: str) -> Target:
    """A goal's target: '4.5%', '12,000', '10k', '1.2M', 'USD 500', '$500'; never negative."""
    return parse_number(text, USAGE["goal"], negative=False)


# A goal's period in French: `par mois`, `mensuel`, `d'ici le 2026-12-31`.
GOAL_WORDS = {**lexicon.WORDS, "par": "per", "d'ici": "by", "avant": "by", "le": ""}


def _goal(tokens: list[str]) -> SetGoal | RemoveGoal:
    if tokens and lexicon.word(tokens[0]) in ("remove", "delete", "rm"):
        if len(tokens) != 2 or not tokens[1].lstrip("#").isdigit():
            raise _usage_error(_("Give the goal's number."), "goal remove")
        return RemoveGoal(int(tokens[1].lstrip("#")))
    tokens, filters = _filters(tokens, "goal")
    if len(tokens) < 2:
        raise _usage_error(_("A goal needs a KPI and a target."), "goal")
    kpi, target_text, *rest = tokens
    if re.fullmatch(r"[A-Za-z]{3}", target_text) and rest:
        target_text = f"{target_text} {rest.pop(0)}"
    target = parse_target(target_text)
    cadence, deadline = "month", None
    if rest:
        phrase = " ".join(rest).lower()
        phrase = " ".join(x for x in (GOAL_WORDS.get(lexicon.fold(w), w) for w in phrase.split()) if x)
        match = re.fullmatch(
            r"(?:per|a|each|every) (week|month|quarter)|(weekly|monthly|quarterly)|by (\d{4}-\d{2}-\d{2})",
            phrase,
        )
        if not match:
            raise _usage_error(
                _("I don't understand `{words}` in a goal.").format(words=" ".join(rest)), "goal"
            )
        if match.group(1):
            cadence = match.group(1)
        elif match.group(2):
            cadence = {"weekly": "week", "monthly": "month", "quarterly": "quarter"}[match.group(2)]
        else:
            cadence, deadline = "date", match.group(3)
            if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])", deadline):
                raise _usage_error(_("`{day}` is not a date.").format(day=deadline), "goal")
    return SetGoal(lexicon.name(kpi), target, cadence, deadline, filters)


def _record(tokens: list[str]) -> Record:
    tokens, dims = _filters(tokens, "record")
    if len(tokens) not in (2, 3):
        raise _usage_error(_("Record needs a metric and a value."), "record")
    metric, raw_value, *day = tokens
    try:
        value = float(raw_value.replace(",", ""))
    except ValueError:
        raise _usage_error(_("`{typed}` is not a number.").format(typed=raw_value), "record") from None
    if not storable(value):
        raise _usage_error(value_problem(raw_value) + ".", "record")
    if day and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day[0]):
        raise _usage_error(_("`{typed}` is not a date; write YYYY-MM-DD.").format(typed=day[0]), "record")
    name = snake(metric)
    if not name or not NAME.fullmatch(name):
        raise _usage_error(_("`{typed}` is not a metric name.").format(typed=metric), "record")
    return Record(name, value, day[0] if day else None, dims)


def _subscribe(tokens: list[str]) -> Subscribe:
    if not tokens or lexicon.word(tokens[0]) not in CADENCES:
        raise _usage_error(_("Say which digest: weekly or quarterly."), "subscribe")
    cadence, rest = lexicon.word(tokens[0]), tokens[1:]
    kpis: tuple[str, ...] = ()
    day, time, tz = "mon", "09:00", None
    i = 0
    while i < len(rest):
        token = rest[i].lower()
        if token == "at" and i + 1 < len(rest):
            day, time = _schedule(rest[i + 1])
            i += 2
        elif token == "tz" and i + 1 < len(rest):
            tz = rest[i + 1]
            zone(tz)
            i += 2
        elif not kpis and token not in ("at", "tz"):
            kpis = tuple(lexicon.name(k) for k in rest[i].split(",") if k.strip())
            i += 1
        else:
            raise _usage_error(_("I don't understand `{word}` here.").format(word=rest[i]), "subscribe")
    return Subscribe(cadence, kpis, day, time, tz)


def _schedule(text: str) -> tuple[str, str]:
    match = re.fullmatch(
        r"(?:(mon|tue|wed|thu|fri|sat|sun)[a-z]*\s+)?(\d{1,2}):(\d{2})", text.strip().lower()
    )
    if not match or int(match.group(2)) > 23 or int(match.group(3)) > 59:
        raise _usage_error(
            _('`{typed}` is not a day and time; write it as `"mon 09:00"`.').format(typed=text), "subscribe"
        )
    return match.group(1) or "mon", f"{int(match.group(2)):02d}:{match.group(3)}"


def _define(text: str) -> Define:
    name_part, eq, rest = text.partition("=")
    name = snake(name_part)
    if not eq or not name or not rest.strip():
        raise _usage_error(_("A definition needs a name, `=` and a formula."), "define")
    if not NAME.fullmatch(name) or name in RESERVED:
        raise _usage_error(
            _("`{typed}` can't be a KPI name; use letters, digits and _.").format(typed=name_part.strip()),
            "define",
        )
    formula = rest.strip()
    better = "higher"
    lowered = formula.lower()
    if lowered.endswith("lower is better"):
        better = "lower"
        formula = formula[: -len("lower is better")].strip()
    elif lowered.endswith("higher is better"):
        formula = formula[: -len("higher is better")].strip()
    unit = "count"
    match = re.search(r"\s+as\s+([a-z]+)\s*$", formula, re.IGNORECASE)
    if match:
        unit = match.group(1).lower()
        if unit not in UNITS:
            raise _usage_error(
                _("`{typed}` is not a unit; use one of {units}.").format(typed=unit, units=", ".join(UNITS)),
                "define",
            )
        formula = formula[: match.start()].strip()
    return Define(name, formula, unit, better)


def _set(tokens: list[str]) -> SetSetting:
    if len(tokens) != 2:
        raise _usage_error(_("Name a setting and its value."), "set")
    key = snake(tokens[0])
    key = {"tz": "timezone", "time_zone": "timezone", "rate": "hourly_rate"}.get(key, key)
    key = {"langue": "language", "lang": "language"}.get(key, key)
    if key not in ("timezone", "currency", "hourly_rate", "language"):
        raise _usage_error(_("`{typed}` is not a setting.").format(typed=tokens[0]), "set")
    value = tokens[1]
    if key == "language":
        value = value.lower()
        if value not in LANGUAGES:
            raise _usage_error(
                _("`{typed}` is not a language kpibot speaks: en or fr.").format(typed=tokens[1]), "set"
            )
    elif key == "timezone":
        zone(value)
    elif key == "currency":
        if not re.fullmatch(r"[A-Za-z]{3}", value):
            raise _usage_error(
                _("`{typed}` is not a currency code such as EUR or USD.").format(typed=value), "set"
            )
        value = value.upper()
    else:
        try:
            if not 0 <= float(value) <= MAX_HOURLY_RATE:
                raise ValueError
        except ValueError:
            raise _usage_error(
                _("`{typed}` is not an hourly rate (a number from 0 to {most}).").format(
                    typed=value, most=f"{MAX_HOURLY_RATE:,}"
                ),
                "set",
            ) from None
    return SetSetting(key, value)

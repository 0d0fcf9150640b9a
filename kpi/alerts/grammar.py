"""The words of `/kpi alert ...` and `/kpi alerts`, as commands. Pure functions of the text.

The verbs people type for each kind are data (``KINDS``), beside the one grammar.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .. import lexicon
from ..i18n import _
from ..words import Target, parse_number, split_filters, usage_error

CADENCES = ("daily", "weekly", "monthly")
MAX_STALE_DAYS = 366
MAX_SNOOZE_DAYS = 90
SNOOZE_DAYS = 7

KINDS = {
    "above": "above",
    "over": "above",
    "exceeds": "above",
    "below": "below",
    "under": "below",
    "drops": "drops",
    "drop": "drops",
    "falls": "drops",
    "fall": "drops",
    "rises": "rises",
    "rise": "rises",
    "grows": "rises",
    "jumps": "rises",
    "anomaly": "anomaly",
    "anomalies": "anomaly",
    "unusual": "anomaly",
}

USAGE = {
    "alert": "/kpi alert <kpi> above|below <value> | drops|rises <N>% | anomaly  [daily|weekly|monthly] "
    "[<dimension>:<value> ...]   e.g. /kpi alert leads drops 20% weekly",
    "alert goals": "/kpi alert goals   (a goal changes status: on track, at risk, off track, met)",
    "alert stale": "/kpi alert stale <N> days   (a metric or source has had no new data for N days)",
    "alert remove": "/kpi alert remove <id>   (ids are in /kpi alerts)",
    "alert snooze": "/kpi alert snooze <id> [<N> days]   (quiet until then; 7 days by default)",
}


@dataclass(frozen=True)
class SetAlert:
    kind: str
    kpi: str | None = None
    target: Target | None = None
    amount: float | None = None
    unit: str = ""
    cadence: str = "daily"
    filters: dict[str, str] = field(default_factory=dict)
    mutating = True


@dataclass(frozen=True)
class ListAlerts:
    pass


@dataclass(frozen=True)
class RemoveAlert:
    alert_id: int
    mutating = True


@dataclass(frozen=True)
class SnoozeAlert:
    alert_id: int
    days: int = SNOOZE_DAYS
    mutating = True


AlertCommand = SetAlert | ListAlerts | RemoveAlert | SnoozeAlert


def parse_alert(tokens: list[str]) -> AlertCommand:
    """The words after `/kpi alert`."""
    if not tokens:
        raise usage_error(_("Say what to watch."), USAGE["alert"])
    head = lexicon.word(tokens[0])
    if head in ("remove", "delete", "rm"):
        return RemoveAlert(_alert_id(tokens[1:], "alert remove"))
    if head == "snooze":
        return _snooze(tokens[1:])
    if lexicon.command_word(tokens[0]) == "goals" and len(tokens) == 1:
        return SetAlert("goals")
    if head == "stale":
        return _stale(tokens[1:])
    return _kpi_alert(tokens)


def _alert_id(tokens: list[str], form: str) -> int:
    if len(tokens) != 1 or not tokens[0].lstrip("#").isdigit() or len(tokens[0]) > 12:
        raise usage_error(_("Give the alert's number."), USAGE[form])
    return int(tokens[0].lstrip("#"))


def _days(words: list[str], form: str, most: int) -> int:
    text = " ".join(words).lower()
    match = re.fullmatch(r"(\d{1,4})\s*(?:d|days?|j|jours?)?", text)
    if not match or not 1 <= int(match.group(1)) <= most:
        raise usage_error(
            _("`{typed}` is not a number of days from 1 to {most}.").format(typed=" ".join(words), most=most),
            USAGE[form],
        )
    return int(match.group(1))


def _snooze(tokens: list[str]) -> SnoozeAlert:
    if not tokens:
        raise usage_error(_("Give the alert's number."), USAGE["alert snooze"])
    alert_id = _alert_id(tokens[:1], "alert snooze")
    days = _days(tokens[1:], "alert snooze", MAX_SNOOZE_DAYS) if len(tokens) > 1 else SNOOZE_DAYS
    return SnoozeAlert(alert_id, days)


def _stale(tokens: list[str]) -> SetAlert:
    if not tokens:
        raise usage_error(_("Say after how many days without data."), USAGE["alert stale"])
    return SetAlert("stale", amount=float(_days(tokens, "alert stale", MAX_STALE_DAYS)))


def _kpi_alert(tokens: list[str]) -> SetAlert:
    rest, filters = split_filters(tokens, USAGE["alert"])
    if len(rest) < 2 or lexicon.word(rest[1]) not in KINDS:
        if len(rest) > 1:
            problem = _("After the KPI comes above, below, drops, rises or anomaly, not `{typed}`.").format(
                typed=rest[1]
            )
        else:
            problem = _("After the KPI comes above, below, drops, rises or anomaly, not nothing.")
        raise usage_error(problem, USAGE["alert"])
    kpi, kind, words = lexicon.name(rest[0]), KINDS[lexicon.word(rest[1])], rest[2:]
    if words and lexicon.fold(words[0]) == "de":  # `au-dessus de 10`, `en dessous de 2 %`
        words = words[1:]
    cadence = "daily"
    if words and lexicon.word(words[-1]) in CADENCES:
        cadence = lexicon.word(words.pop())
    if kind == "anomaly":
        if words:
            raise usage_error(
                _("I don't understand `{typed}` in an anomaly alert.").format(typed=" ".join(words)),
                USAGE["alert"],
            )
        if cadence == "monthly":
            raise usage_error(
                _(
                    "Anomaly alerts are daily (against the same weekday of the 8 weeks before) or weekly "
                    "(against the 12 weeks before)."
                ),
                USAGE["alert"],
            )
        return SetAlert(kind, kpi, cadence=cadence, filters=filters)
    if not words:
        raise usage_error(_("`{typed}` needs a number after it.").format(typed=rest[1]), USAGE["alert"])
    number = " ".join(words)
    if kind in ("above", "below"):
        return SetAlert(kind, kpi, parse_number(number, USAGE["alert"], negative=True), cadence=cadence,
                        filters=filters)  # fmt: skip
    match = re.fullmatch(r"(\d{1,6}(?:[.,]\d+)?)\s*(%|pp|pts?|points?)?", number.lower())
    if not match or float(match.group(1).replace(",", ".")) <= 0:
        raise usage_error(
            _(
                "`{typed}` is not a change; write a percentage such as `20%`, or points such as `1pp` "
                "for a percent KPI."
            ).format(typed=number),
            USAGE["alert"],
        )
    unit = "%" if match.group(2) in (None, "%") else "pp"
    explicit = match.group(2) is not None
    return SetAlert(kind, kpi, amount=float(match.group(1).replace(",", ".")), unit=unit if explicit else "", cadence=cadence,
                    filters=filters)  # fmt: skip

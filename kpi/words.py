"""The words of a `/kpi` command: quoting, `dimension:value` filters and usage errors.

Shared by the command grammar (commands.py) and the alert grammar (alerts/grammar.py), which both
turn typed words into commands the same way.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from . import lexicon
from .errors import InvalidCommand, InvalidTarget
from .i18n import _
from .limits import storable, value_problem
from .names import dimension_value, snake


def usage_error(message: str, usage: str) -> InvalidCommand:
    return InvalidCommand(f"{message}\n" + _("Usage: `{form}`").format(form=usage))


_INNER_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")


def split_words(text: str) -> list[str]:
    """Words as a shell splits them, after turning the quotes chat apps curl back into plain ones."""
    cleaned = text.replace("“", '"').replace("”", '"').replace("‘", "'").replace("’", "'").replace(" ", " ")
    # An apostrophe inside a word is a letter, not a quote: `l'année dernière`, `network:o'brien`.
    cleaned = _INNER_APOSTROPHE.sub("\0", cleaned)
    try:
        return [w.replace("\0", "'") for w in shlex.split(cleaned)]
    except ValueError:
        raise InvalidCommand(_('A quote is not closed. Close it, as in `at "mon 09:00"`.')) from None


def split_filters(tokens: list[str], usage: str) -> tuple[list[str], dict[str, str]]:
    """Split `dimension:value` tokens from the others (a time such as 09:00 is not a filter)."""
    rest, filters = [], {}
    for token in tokens:
        if ":" in token and not re.fullmatch(r"\d{1,2}:\d{2}", token):
            dim, _colon, value = token.partition(":")
            if not dim.strip() or not value.strip():
                raise usage_error(
                    _(
                        "`{typed}` is not a filter; write `dimension:value`, as in `network:instagram`."
                    ).format(typed=token),
                    usage,
                )
            filters[snake(lexicon.dimension(dim))] = dimension_value(value)
        else:
            rest.append(token)
    return rest, filters


@dataclass(frozen=True)
class Target:
    """A typed number: ``percent`` when written with %, so 4.5% and 4.5 both mean 4.5% for a percent KPI."""

    number: float
    percent: bool
    text: str


_NUMBER = re.compile(r"^(?:([A-Za-z]{3})\s*|\$|€|£)?\s*(-?[\d,]*\.?\d+)\s*([kKmM%]?)$")


_DECIMAL_COMMA = re.compile(r"(?<=\d),(?=\d{1,2}(?!\d))")


def parse_number(text: str, usage: str, *, negative: bool) -> Target:
    """'4.5%', '12,000', '10k', '1.2M', 'USD 500', '$500' -> a number; anything else is an error."""
    raw = text.strip()
    # A decimal comma, as French writes it (`2,5%`); a comma before three digits stays thousands.
    typed = _DECIMAL_COMMA.sub(".", raw)
    match = _NUMBER.match(typed)
    if not match or (
        match.group(2).count(",") and not re.fullmatch(r"-?\d{1,3}(,\d{3})*(\.\d+)?", match.group(2))
    ):
        raise InvalidTarget(
            _(
                "The target `{typed}` is not a number. Write it as `4.5%`, `12,000`, `10k` or `USD 500`."
            ).format(typed=raw)
            + "\n"
            + _("Usage: `{form}`").format(form=usage)
        )
    number = float(match.group(2).replace(",", ""))
    suffix = match.group(3).lower()
    if suffix == "k":
        number *= 1_000
    elif suffix == "m":
        number *= 1_000_000
    if not storable(number):
        raise InvalidTarget(value_problem(raw) + ".")
    if number < 0 and not negative:
        raise InvalidTarget(
            _("The target `{typed}` is negative; goals need a target of zero or more.").format(typed=raw)
        )
    return Target(number, suffix == "%", raw)

"""Numbers and dates in a language other than English, from CLDR through Babel, never by hand.

French: 4,3 % (a narrow no-break space before %), 12 345 (a narrow no-break space between
thousands), 3,47, 12,34 € (the symbol placed as the locale places it), +0,4 pt for percentage
points, +12,5 % for relative changes, 17 nov. 2026, novembre 2026, T3 2026.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent

from . import i18n
from .i18n import _

_DECIMALS = {"count": 0, "ratio": 2, "score": 1, "percent": 1, "currency": 2}


@lru_cache(maxsize=8)
def _percent_pattern(locale: str, signed: bool) -> str:
    """The locale's own percent pattern (where the sign and space go) with one decimal."""
    pattern = Locale.parse(locale).percent_formats[None].pattern
    one_decimal = re.sub(r"0(?=[^0#]*%)", "0.0", pattern, count=1)
    return f"+{one_decimal};-{one_decimal}" if signed else one_decimal


@lru_cache(maxsize=64)
def _style(locale: str, unit: str, currency: str, signed: bool) -> tuple[str, str, str, str, str, str]:
    """What CLDR puts around and inside a number of this kind, read once from Babel's own output:
    (prefix, suffix, group, decimal, minus, plus). Answers format a dozen numbers each, and Babel's
    decimal arithmetic cost a French answer 1 ms more than an English one."""
    if unit == "percent":
        probe = format_percent(1234.5, _percent_pattern(locale, False), locale=locale)
        digits = format_decimal(123450, "#,##0.0", locale=locale)
    elif unit == "currency":
        probe = format_currency(1234.5, currency, locale=locale)
        digits = format_decimal(1234.5, "#,##0.00", locale=locale)
    else:
        probe = digits = format_decimal(1234.5, "#,##0.0", locale=locale)
    prefix, _sep, suffix = probe.partition(digits)
    symbols = Locale.parse(locale).number_symbols
    table = symbols.get("latn", symbols)
    return (
        prefix,
        suffix,
        table["group"],
        table["decimal"],
        table["minusSign"],
        table["plusSign"] if signed else "",
    )


def _number(
    number: float, unit: str, currency: str = "", *, signed: bool = False, decimals: int | None = None
) -> str:
    prefix, suffix, group, decimal, minus, plus = _style(i18n.locale(), unit, currency, signed)
    places = _DECIMALS.get(unit, 2) if decimals is None else decimals
    shown = f"{number * 100 if unit == 'percent' else number:,.{places}f}"
    negative = shown.startswith("-")
    digits = shown.lstrip("-").replace(",", "\0").replace(".", decimal).replace("\0", group)
    sign = minus if negative else (plus if number else "")
    return f"{sign}{prefix}{digits}{suffix}"


def whole_percent(share: float) -> str:
    """86 %: a goal's progress."""
    return _number(share, "percent", decimals=0)


def size(number: float, kind: str, decimals: int | None, *, signed: bool) -> str:
    """See format.size: the same sizes, with the locale's separators, signs and percent sign."""
    places = decimals
    if places is None:
        shown = f"{number:.4f}".rstrip("0").rstrip(".")
        places = len(shown.partition(".")[2])
    if kind == "percent":
        return _number(number / 100, "percent", signed=signed, decimals=places)
    text = _number(number, "score", signed=signed, decimals=places)
    return _("{number} pt").format(number=text) if kind == "points" else text


def value(number: float, unit: str, currency: str) -> str:
    return _number(number, unit if unit in _DECIMALS else "ratio", currency)


def change(shown: float, unit: str) -> str:
    """A change already rounded as shown: points for percents, absolute for scores, else relative."""
    shown = shown or 0.0  # -0.0 shows as 0,0, as in English
    if unit == "percent":
        return _("{number} pt").format(number=_number(shown, "score", signed=True))
    if unit == "score":
        return _number(shown, "score", signed=True)
    return _number(shown / 100, "percent", signed=True)


def day(when: date) -> str:
    """17 nov. 2026"""
    return format_date(when, "d MMM y", locale=i18n.locale())


def day_with_weekday(when: date) -> str:
    """mar. 17 nov. 2026"""
    return format_date(when, "EEE d MMM y", locale=i18n.locale())


def weekday(when: date) -> str:
    """mardi"""
    return format_date(when, "EEEE", locale=i18n.locale())


def month(when: date) -> str:
    """novembre 2026"""
    return format_date(when, "LLLL y", locale=i18n.locale())


def short_month(when: date) -> str:
    """nov. 26"""
    return format_date(when, "LLL yy", locale=i18n.locale())


def span(start: date, end: date) -> str:
    """23–29 nov. 2026, 30 nov. – 6 déc. 2026, 28 déc. 2026 – 3 janv. 2027"""
    if start == end:
        return day(start)
    if start.year == end.year and start.month == end.month:
        return f"{start.day}–{day(end)}"
    if start.year == end.year:
        return f"{format_date(start, 'd MMM', locale=i18n.locale())} – {day(end)}"
    return f"{day(start)} – {day(end)}"

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

_PATTERNS = {"count": "#,##0", "ratio": "#,##0.00", "score": "#,##0.0"}


@lru_cache(maxsize=8)
def _percent_pattern(locale: str, signed: bool) -> str:
    """The locale's own percent pattern (where the sign and space go) with one decimal."""
    pattern = Locale.parse(locale).percent_formats[None].pattern
    one_decimal = re.sub(r"0(?=[^0#]*%)", "0.0", pattern, count=1)
    return f"+{one_decimal};-{one_decimal}" if signed else one_decimal


def value(number: float, unit: str, currency: str) -> str:
    locale = i18n.locale()
    if unit == "percent":
        return format_percent(number, _percent_pattern(locale, False), locale=locale)
    if unit == "currency":
        return format_currency(number, currency, locale=locale)
    return format_decimal(number, _PATTERNS.get(unit, "#,##0.00"), locale=locale)


def change(shown: float, unit: str) -> str:
    """A change already rounded as shown: points for percents, absolute for scores, else relative."""
    locale = i18n.locale()
    shown = shown or 0.0  # -0.0 shows as 0,0, as in English
    if unit == "percent":
        number = format_decimal(shown, "+#,##0.0;-#,##0.0" if shown else "0.0", locale=locale)
        return _("{number} pt").format(number=number)
    if unit == "score":
        return format_decimal(shown, "+#,##0.0;-#,##0.0" if shown else "0.0", locale=locale)
    return format_percent(shown / 100, _percent_pattern(locale, bool(shown)), locale=locale)


def day(when: date) -> str:
    """17 nov. 2026"""
    return format_date(when, "d MMM y", locale=i18n.locale())


def day_with_weekday(when: date) -> str:
    """mar. 17 nov. 2026"""
    return format_date(when, "EEE d MMM y", locale=i18n.locale())


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

"""The language kpibot speaks while it answers, and its gettext catalogs.

``speaking(lang)`` sets the language for what runs inside it (a context variable: each thread and
each task has its own), so formatting (format.py), labels (periods.py) and messages (``_``) follow it
without a language argument threaded through every function. English is the source language: its
messages are the msgids themselves. The French catalog is `kpi/locale/fr/LC_MESSAGES/kpibot.po`,
compiled to its `.mo` beside it when that is missing or older (Babel, at first use), read by the
standard `gettext` module.
"""

from __future__ import annotations

import gettext
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

LANGUAGES = {"en": "English", "fr": "français"}
LOCALES = {"en": "en_US", "fr": "fr_FR"}
DOMAIN = "kpibot"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
_current: ContextVar[str] = ContextVar("kpibot_language", default="en")


def language() -> str:
    return _current.get()


@contextmanager
def speaking(lang: str | None) -> Iterator[None]:
    """Answer in ``lang`` (en when None or unknown) inside the block."""
    token = _current.set(lang if lang in LANGUAGES else "en")
    try:
        yield
    finally:
        _current.reset(token)


def compile_catalog(lang: str) -> Path:
    """The `.mo` of a language, compiled from its `.po` when missing or older."""
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        return mo
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as source:
        catalog = read_po(source, locale=lang)
    try:
        target = mo
        partial = mo.with_name(f"{DOMAIN}.{os.getpid()}.tmp")
        with partial.open("wb") as out:
            write_mo(out, catalog)
    except OSError:  # an installed, read-only package: compile into a cache of this machine's
        target = Path(tempfile.gettempdir()) / "kpibot-locale" / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f"{DOMAIN}.{os.getpid()}.tmp")
        with partial.open("wb") as out:
            write_mo(out, catalog)
    partial.replace(target)
    return target


@lru_cache(maxsize=4)
def _translations(lang: str) -> gettext.NullTranslations:
    if lang == "en":
        return gettext.NullTranslations()
    mo = compile_catalog(lang)
    with mo.open("rb") as catalog:
        return gettext.GNUTranslations(catalog)


def _(message: str) -> str:
    """``message`` in the current language (the English msgid when it has no translation)."""
    lang = _current.get()
    return message if lang == "en" else _translations(lang).gettext(message)


def locale() -> str:
    """The CLDR locale of the current language, for Babel."""
    return LOCALES[_current.get()]

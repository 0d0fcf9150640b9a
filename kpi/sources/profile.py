"""What a format profile says about a platform's export: the shapes the registry is written in.

A profile is data: how its header is recognised, what each column means (in every language the
platform exports in), how its dates and numbers are written, which network it sets and which rows
are not data. The one reader in `tables.py` follows it, so a new format is a new profile.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache


@lru_cache(maxsize=8192)
def header_key(text: str) -> str:
    """Headers compare without case, accents, quotes or repeated spaces: `Événements clés` and
    `evenements  CLES` are one header."""
    decomposed = unicodedata.normalize("NFKD", text.replace("\ufeff", ""))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.strip().strip('"').lower().replace("\u00a0", " ").split())


@dataclass(frozen=True)
class Column:
    """One column of an export, known under ``names`` (any language; `*` stands for anything, and
    what it stood for is kept, e.g. the currency of `Amount spent (EUR)`).

    Exactly one of: ``metric`` (values go to that metric; a name starting with `_` is only an
    input of a ``Derived`` or ``Routed`` rule), ``dim`` (values become that dimension), ``role``
    (`date`, `day_offset`, `publish_time` or `text`), or ``skip`` (why kpibot leaves it out).
    """

    names: tuple[str, ...]
    metric: str = ""
    dim: str = ""
    role: str = ""
    skip: str = ""
    values: tuple[tuple[str, str], ...] = ()  # a dimension's values renamed (`Facebook` -> `facebook`)
    currency: bool = False  # the `*` of its name is a currency code, checked against the team's

    def __post_init__(self) -> None:
        assert sum(bool(x) for x in (self.metric, self.dim, self.role, self.skip)) == 1, self.names

    @cached_property
    def patterns(self) -> tuple[re.Pattern[str], ...]:
        return tuple(
            re.compile("^" + re.escape(header_key(n)).replace(r"\*", "(.+)") + "$") for n in self.names
        )


@dataclass(frozen=True)
class Derived:
    """A metric computed per row from others: ``plus`` minus ``minus``, only where the dimension
    ``when[0]`` has one of the values ``when[1]`` (GA4: bounces = sessions - engaged sessions;
    social sessions = sessions of the social channels)."""

    metric: str
    plus: tuple[str, ...]
    minus: tuple[str, ...] = ()
    when: tuple[str, tuple[str, ...]] | None = None


@dataclass(frozen=True)
class Routed:
    """A metric whose name depends on another column's text (Ads Manager's `Results` are leads
    when `Result indicator` names a lead action, conversions otherwise); ``by`` is the first of
    that column's names."""

    source: str
    by: str
    pattern: str
    then: str
    otherwise: str


@dataclass(frozen=True)
class Profile:
    """One export format. ``signatures``: any one set of header names, all present in one row,
    recognises it; ``marker`` a regular expression the lines above the header must match."""

    name: str
    title: str
    example: str
    signatures: tuple[tuple[str, ...], ...]
    columns: tuple[Column, ...] = ()
    layout: str = "mapped"  # or `long` / `wide`: kpibot's own layouts, read by importer.py
    container: str = "text"  # `text`, `workbook` or `any`
    marker: str = ""
    dates: tuple[str, ...] = ("iso",)
    network: str = ""  # set on every row, unless a column or a tag says otherwise
    network_from: tuple[tuple[str, str], ...] = ()  # a header that tells the network (Page ID -> facebook)
    title_metrics: tuple[tuple[str, str], ...] = ()  # Business Suite: the title line names the metric
    grain: str = "day"  # or `post`: one row per post, lifetime totals
    derived: tuple[Derived, ...] = ()
    routed: tuple[Routed, ...] = ()
    skip_rows: tuple[str, ...] = ()  # `total` (a `Total: ...` row), `summary` (first row, empty dimension)
    summary_dim: str = ""
    not_by_day: str = ""  # how to export it by day, when the file has no date column
    sheets: tuple[tuple[str, str], ...] = ()  # workbook sheets read for another purpose or skipped (why)
    default_skip: str = "not a metric kpibot stores"
    family: str = ""  # profiles of one download (a workbook's sheets, a GA4 file's tables)
    notes: tuple[str, ...] = field(default=())

    def signature_keys(self) -> tuple[frozenset[str], ...]:
        return tuple(frozenset(header_key(n) for n in names) for names in self.signatures)

    def matches(self, header: list[str]) -> bool:
        keys = {header_key(c) for c in header if isinstance(c, str)}
        return any(sig <= keys for sig in self.signature_keys())

    def loosely_matches(self, header: list[str]) -> bool:
        """For a format named by the user: a row with this format's date column and a metric of it."""
        columns = [self.column_for(c)[0] for c in header if isinstance(c, str) and c.strip()]
        return any(c and c.role in ("date", "publish_time", "day_offset") for c in columns) and any(
            c and c.metric for c in columns
        )

    def column_for(self, header: str) -> tuple[Column | None, str]:
        """The column a header is, and what its `*` stood for."""
        key = header_key(header)
        for column in self.columns:
            for pattern in column.patterns:
                found = pattern.match(key)
                if found:
                    return column, (found.group(1) if found.groups() else "")
        return None, ""

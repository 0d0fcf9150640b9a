"""Reading a platform export's tables with their profile: where the header is, what each column
becomes, and each data row turned into (metric, dimensions, day, value) observations.

One reader for every mapped format. A file is a run of rows (a text file's lines, or a sheet); a
table starts at the first row that matches a profile's signature, with the lines above it as its
preamble (GA4's `#` comments, Business Suite's title, Google Ads' report name), and ends at a blank
or `#` row, after which another table may start (GA4 downloads hold several).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from ..errors import ImportFailed
from ..i18n import _
from ..limits import MAX_COLUMNS
from ..names import dimension_value, snake
from .profile import Profile, header_key
from .values import Days, Numbers

HEADER_SCAN_ROWS = 60
_START_DATE = re.compile(r"#\s*(?:start date|date de debut)\s*:\s*(\d{8})", re.IGNORECASE)

Observation = tuple[str, tuple[tuple[str, str], ...], str, float]


def cell_text(cell: object) -> str:
    if type(cell) is str:
        return cell
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return "" if cell is None else str(cell)


def is_break(cells: list[object]) -> bool:
    """A blank row, or a `#` comment row: the end of a table. (A data row's first cell, its date,
    answers at once.)"""
    if not cells:
        return True
    head = cells[0]
    if isinstance(head, str):
        if head.startswith("#"):
            return True
        if head.strip():
            return False
    elif head is not None:
        return False
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def find_header(
    rows: Iterable[tuple[int, list[object]]], profiles: Iterable[Profile], loose: bool = False
) -> tuple[Profile, int, list[str], list[str]] | None:
    """The first row (within the first rows) that a profile recognises: (profile, line, header,
    preamble lines above it). ``loose``: the user named the format, so a row with its date column
    and one of its metrics is enough."""
    preamble: list[str] = []
    candidates = list(profiles)
    for count, (line, cells) in enumerate(rows):
        if count >= HEADER_SCAN_ROWS:
            return None
        header = [cell_text(c) for c in cells]
        for profile in candidates:
            recognised = profile.loosely_matches(header) if loose else profile.matches(header)
            if recognised and (loose or not profile.marker or re.search(profile.marker, "\n".join(preamble))):
                return profile, line, header, preamble
        preamble.append(",".join(h for h in header if h.strip()))
    return None


@dataclass
class TableReport:
    """What the summary says of one table."""

    title: str
    mappings: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class ReadContext:
    """What a table needs beyond its own rows."""

    name: str
    tz: str
    tags: dict[str, str]
    currency: str
    numbers: Numbers
    covered: set[str] = field(default_factory=set)  # metrics earlier tables of the file gave
    start: date | None = None  # GA4's `# Start date:`, for every table of the file


class Table:
    """One table: its profile, its header mapped to metrics, dimensions and roles."""

    def __init__(self, profile: Profile, header: list[str], preamble: list[str], ctx: ReadContext) -> None:
        self.profile, self.ctx = profile, ctx
        self.report = TableReport(profile.title)
        self.metric_cols: list[tuple[int, str]] = []
        self.dim_cols: list[tuple[int, str, dict[str, str]]] = []
        self.text_cols: dict[str, int] = {}
        self.date_col, self.date_role = -1, ""
        self.width = len(header)
        if self.width > MAX_COLUMNS:
            raise ImportFailed(
                f"`{ctx.name}`: {self.width:,} columns; kpibot reads files of up to {MAX_COLUMNS:,} columns."
            )
        self.static: dict[str, str] = {}
        title_metric = self._title_metric(preamble) if profile.title_metrics else ""
        ctx.start = self._start_date(preamble) or ctx.start
        self.days = Days(profile.dates, ctx.tz, ctx.start)
        found = (profile.column_for(text)[0] for text in header if text.strip())
        self.present = {column.dim for column in found if column is not None and column.dim}
        for index, text in enumerate(header):
            if text.strip():
                self._map(index, text, title_metric)
        self._network(header, preamble)
        self.static.update(ctx.tags)
        if self.date_col < 0:
            if profile.not_by_day:
                raise ImportFailed(
                    f"`{ctx.name}` is a {profile.title} without a day column: kpibot needs one row per day. "
                    + profile.not_by_day
                )
            raise ImportFailed(
                _("`{name}` ({format}) has no date column kpibot can read.").format(
                    name=ctx.name, format=profile.title
                )
            )
        self.dims_cache: dict[tuple[str, ...], tuple[tuple[str, str], ...]] = {}
        self.summary_col = next((i for i, d, _ in self.dim_cols if d == profile.summary_dim), -1)
        self.dim_indexes = [i for i, _, _ in self.dim_cols]
        metrics = [m for _, m in self.metric_cols]
        self.simple = (
            not profile.derived
            and not profile.routed
            and profile.grain == "day"
            and len(set(metrics)) == len(metrics)
        )

    def _title_metric(self, preamble: list[str]) -> str:
        """Business Suite: the title line above the header names the metric (and maybe the network)."""
        titles = [p for p in preamble if p.strip() and not p.lower().startswith("sep=")]
        if not titles:
            raise ImportFailed(
                _("`{name}`: the title line that names the metric is missing.").format(name=self.ctx.name)
            )
        title = header_key(titles[-1])
        known = dict(self.profile.title_metrics)
        words = title.split(" ")
        rest = " ".join(words[1:]) if words[0] in dict(self.profile.network_from) else title
        metric = known.get(rest) or known.get(title)
        if not metric:
            options = ", ".join(sorted({t for t, _ in self.profile.title_metrics}))
            raise ImportFailed(
                f"`{self.ctx.name}` is a {self.profile.title} of `{titles[-1]}`, a metric kpibot does not know. "
                f"It knows: {options}."
            )
        self.report.mappings.append(f"title `{titles[-1]}` → {metric}")
        return metric

    def _start_date(self, preamble: list[str]) -> date | None:
        for line in preamble:
            found = _START_DATE.search(header_key(line).replace(",", ""))
            if found:
                text = found.group(1)
                return date(int(text[:4]), int(text[4:6]), int(text[6:]))
        return None

    def _map(self, index: int, text: str, title_metric: str) -> None:
        column, captured = self.profile.column_for(text)
        if column is None:
            self.report.skipped.append(f"{text}: {self.profile.default_skip}")
            return
        if column.skip:
            self.report.skipped.append(f"{text}: {column.skip}")
        elif column.role in ("date", "day_offset", "publish_time"):
            if self.date_col >= 0:
                self.report.skipped.append(f"{text}: a second date column")
                return
            self.date_col, self.date_role = index, column.role
            what = "the publish day of each post" if column.role == "publish_time" else "date"
            self.report.mappings.append(f"{text} → {what}")
        elif column.role == "text":
            self.text_cols[header_key(column.names[0])] = index
            self.report.mappings.append(f"{text} → read to name the metric of another column")
        elif column.dim:
            self.dim_cols.append((index, column.dim, dict(column.values)))
            self.report.mappings.append(f"{text} → {column.dim} (dimension)")
        else:
            metric = title_metric if column.metric == "_title" else column.metric
            if metric in self.ctx.covered:
                self.report.skipped.append(f"{text}: already read from an earlier table of this file")
                return
            self.metric_cols.append((index, metric))
            self.report.mappings.append(f"{text} → {self._describe(metric)}")
            if column.currency and captured:
                self._check_currency(text, captured)

    def _describe(self, metric: str) -> str:
        if not metric.startswith("_"):
            uses = [
                d.metric
                for d in self.profile.derived
                if metric in d.plus and d.when and d.when[0] in self.present
            ]
            return metric + (f" (and {', '.join(uses)} by channel)" if uses else "")
        for rule in self.profile.derived:
            if metric in rule.minus:
                plus = " + ".join(rule.plus)
                minus = " − ".join(m.lstrip("_").replace("_", " ") for m in rule.minus)
                return f"{rule.metric} ({plus} − {minus})"
        for routed in self.profile.routed:
            if routed.source == metric:
                return f"{routed.then} when `{routed.by}` names a {routed.pattern} action, else {routed.otherwise}"
        return metric

    def _check_currency(self, header: str, code: str) -> None:
        code = code.strip().upper()
        if code != self.ctx.currency.upper():
            self.report.notes.append(
                f"{header}: the amounts are in {code} but the team's currency is {self.ctx.currency}; they "
                f"are stored as they are (`/kpi set currency {code}` if {code} is right)."
            )

    def _network(self, header: list[str], preamble: list[str]) -> None:
        profile = self.profile
        if profile.network:
            self.static["network"] = profile.network
        if any(d == "network" for _, d, _ in self.dim_cols) or not profile.network_from:
            return
        keys = {header_key(h) for h in header}
        titles = " ".join(header_key(p) for p in preamble)
        name = header_key(self.ctx.name)
        for place in (keys, titles.split(" "), re.split(r"[^a-z]+", name)):
            for needle, network in profile.network_from:
                if needle in place:
                    self.static["network"] = network
                    return
        if "network" not in self.ctx.tags:
            raise ImportFailed(
                f"`{self.ctx.name}` is a {profile.title}, but nothing in it says whether it is Facebook's or "
                "Instagram's. Import it again with `--tag network=facebook` or `--tag network=instagram` (in "
                "Slack, add `network:facebook` or `network:instagram` to the message)."
            )

    def _dims(self, raw: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
        dims = dict(self.static)
        for (_index, dim, values), cell in zip(self.dim_cols, raw, strict=True):
            text = cell.strip()
            if text and dim not in self.ctx.tags:
                value = dimension_value(text)
                dims[dim] = values.get(value) or snake(value) or value
        found = tuple(sorted(dims.items()))
        self.dims_cache[raw] = found
        return found

    def skip_reason(self, cells: list[object], first: bool) -> str:
        """Why a data row is not data (a total, a summary), or ""."""
        rules = self.profile.skip_rows
        if not rules:
            return ""
        if "total" in rules:
            head = cell_text(cells[0]).lstrip() or next(
                (cell_text(c).strip() for c in cells if cell_text(c).strip()), ""
            )
            if head[:5].lower() == "total":
                return "a total row"
        if "summary" in rules and first:
            empty_date = not cell_text(cells[self.date_col]).strip() if self.date_col < len(cells) else True
            empty_dim = self.summary_col >= 0 and not cell_text(cells[self.summary_col]).strip()
            if empty_date or empty_dim:
                return "a summary row of the whole report"
        return ""

    def observations(self, cells: list[object]) -> list[Observation]:
        """The row's observations; raises CellError naming a bad cell."""
        if len(cells) < self.width:
            cells = [*cells, *([""] * (self.width - len(cells)))]
        cell = cells[self.date_col]
        day = self.days.offset(cell) if self.date_role == "day_offset" else self.days(cell)
        raw = tuple([cell_text(cells[i]) for i in self.dim_indexes])
        dims = self.dims_cache.get(raw) or self._dims(raw)
        numbers = self.ctx.numbers
        if self.simple:  # each column its own metric, nothing derived: the usual export
            found = []
            for index, metric in self.metric_cols:
                value = numbers(cells[index])
                if value is not None:
                    found.append((metric, dims, day, value))
            return found
        values: dict[str, float] = {}
        for index, metric in self.metric_cols:
            value = numbers(cells[index])
            if value is not None:
                values[metric] = values.get(metric, 0.0) + value
        if self.profile.derived or self.profile.routed:
            self._derive(values, dict(dims), cells)
        if self.profile.grain == "post":
            values["posts"] = 1.0
        return [(metric, dims, day, value) for metric, value in values.items() if not metric.startswith("_")]

    def _derive(self, values: dict[str, float], dims: dict[str, str], cells: list[object]) -> None:
        for rule in self.profile.derived:
            if rule.when and dims.get(rule.when[0]) not in rule.when[1]:
                continue
            if not all(m in values for m in rule.plus + rule.minus):
                continue
            values[rule.metric] = sum(values[m] for m in rule.plus) - sum(values[m] for m in rule.minus)
        for routed in self.profile.routed:
            if routed.source not in values:
                continue
            index = self.text_cols.get(header_key(routed.by), -1)
            text = cell_text(cells[index]) if index >= 0 else ""
            target = routed.then if re.search(routed.pattern, text, re.IGNORECASE) else routed.otherwise
            values[target] = values.get(target, 0.0) + values.pop(routed.source)

    def metrics(self) -> set[str]:
        found = {m for _, m in self.metric_cols if not m.startswith("_")}
        found |= {d.metric for d in self.profile.derived}
        for routed in self.profile.routed:
            found |= {routed.then, routed.otherwise}
        if self.profile.grain == "post":
            found.add("posts")
        return found


def describe_formats(profiles: Iterable[Profile]) -> list[str]:
    """`kpibot import --formats`: each format with an example header."""
    lines = []
    for profile in profiles:
        example = profile.example.replace("\n", " ⏎ ")
        lines.append(f"{profile.name:<28} {profile.title}\n{'':<28} e.g. {example}")
    return lines

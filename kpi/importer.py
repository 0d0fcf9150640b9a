"""Importing a file: recognise its format from the bytes, read it into staging, then merge it.

kpibot's own long and wide CSVs and every platform export of the registry (kpi/sources) go through
the same steps: the whole file is read and validated into staging first (nothing written, no lock
taken), and only a file with no bad row (or with ``skip_invalid``) is merged, a batch of series per
short transaction. Memory stays flat whatever a text file's size: only the current chunk, the series keys
and at most ``MAX_PROBLEMS`` problem lines are held (a workbook, bounded in size, is read whole).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from .errors import ImportFailed
from .i18n import _
from .names import dimension_value, snake
from .sources.decode import check_size, container, size_of, text_format, text_rows, workbook_sheets
from .sources.native import read_native
from .sources.profile import Profile
from .sources.registry import BY_NAME, PROFILES
from .sources.summary import MAX_PROBLEMS, ImportSummary
from .sources.tables import ReadContext, Table, cell_text, describe_formats, find_header, is_break
from .sources.values import CellError, Numbers
from .staging import Chunks, Progress, Staging
from .store import Store

__all__ = ["MAX_PROBLEMS", "ImportSummary", "Progress", "formats_help", "import_file", "parse_tag"]

_TAG = re.compile(r"([a-z][a-z0-9_]*)[=:](.+)")


def parse_tag(text: str) -> tuple[str, str]:
    """`region=fr` (CLI) or `region:fr` (a DM's words) as a dimension and its value."""
    found = _TAG.fullmatch(text.strip().lower())
    if not found or not snake(found.group(1)):
        raise ImportFailed(
            _("`{typed}` is not a tag; write DIMENSION=VALUE, as in `region=fr`.").format(typed=text)
        )
    return snake(found.group(1)), dimension_value(found.group(2))


def formats_help() -> list[str]:
    """`kpibot import --formats`: every format, with an example header."""
    return describe_formats(PROFILES)


def import_file(
    store: Store,
    team: str,
    source: str | Path,
    *,
    skip_invalid: bool = False,
    tz: str | None = None,
    progress: Progress | None = None,
    stream: BinaryIO | None = None,
    tags: dict[str, str] | None = None,
    dry_run: bool = False,
    format: str | None = None,
) -> ImportSummary:
    """Import one file (or ``stream``, named ``source``) for ``team``.

    All or nothing unless ``skip_invalid``: with any bad row nothing is written and ``ImportFailed``
    lists each bad row. ``dry_run`` reads and checks everything and writes nothing. ``format`` names
    a profile instead of recognising one. ``progress`` hears of each chunk read and each written.
    Date-times become days in ``tz``, by default the team's time zone.
    """
    tz = tz or store.settings(team).tz
    name = Path(source).name if stream is None else str(source)
    raw = stream if stream is not None else open(source, "rb")  # noqa: SIM115
    try:
        return _Import(store, team, raw, name, tz, tags or {}, progress).run(skip_invalid, dry_run, format)
    finally:
        if stream is None:
            raw.close()


class _Rollback(Exception):
    pass


class _Import:
    def __init__(
        self,
        store: Store,
        team: str,
        raw: BinaryIO,
        name: str,
        tz: str,
        tags: dict[str, str],
        progress: Progress | None,
    ) -> None:
        self.store, self.team, self.raw, self.name, self.tz, self.tags = store, team, raw, name, tz, tags
        self.progress = progress
        self.summary = ImportSummary(name)
        self.size = size_of(raw)
        self.days: set[str] = set()
        self.reader: Iterator[list[str]] | None = None

    def run(self, skip_invalid: bool, dry_run: bool, forced: str | None) -> ImportSummary:
        profile = self._forced(forced)
        kind = container(self.raw.read(8))
        self.raw.seek(0)
        check_size(self.raw, self.name, kind)
        with Staging(self.store) as staging:
            chunks = Chunks(staging, self._read_progress)
            if self.tags:
                chunks.series = lambda metric, dims: staging.series(metric, self._tagged(dims))
            try:
                if kind == "text":
                    self._text(chunks, profile)
                else:
                    self._workbook(chunks, kind, profile)
            except UnicodeDecodeError:
                raise ImportFailed(
                    _(
                        "`{name}` is not text kpibot can decode. Export or save it as CSV (UTF-8) and import again."
                    ).format(name=self.name)
                ) from None
            except csv.Error as exc:
                line = (
                    _("line {line}: ").format(line=self.reader.line_num)  # type: ignore[attr-defined]
                    if self.reader is not None
                    else ""
                )
                raise ImportFailed(
                    _("`{name}` is not a readable CSV file ({why}).").format(
                        name=self.name, why=f"{line}{exc}"
                    )
                ) from None
            chunks.flush()
            summary = self.summary
            if self.days:
                summary.first_day, summary.last_day = min(self.days), max(self.days)
            if summary.rejected and not skip_invalid:
                refused = (
                    _("`{name}` has 1 invalid row; nothing was imported.")
                    if summary.rejected == 1
                    else _("`{name}` has {count} invalid rows; nothing was imported.")
                )
                fix = _("Fix them, or import with --skip-invalid to keep the valid rows.")
                raise ImportFailed(
                    refused.format(name=self.name, count=summary.rejected) + " " + fix, summary.listing()
                )
            if not staging.rows and not summary.rejected and summary.read == 0 and not summary.layout:
                raise ImportFailed(
                    _("`{name}` has no rows of data: nothing was imported.").format(name=self.name)
                )
            if dry_run:
                summary.dry_run = True
                return summary
            writing = (lambda done, total: self.progress("writing", done, total)) if self.progress else None
            merged = staging.merge(self.store, self.team, writing)
            summary.inserted, summary.replaced, summary.unchanged = (
                merged.inserted,
                merged.replaced,
                merged.unchanged,
            )
            summary.locked_seconds = merged.locked
        return summary

    def _forced(self, forced: str | None) -> Profile | None:
        if forced is None:
            return None
        profile = BY_NAME.get(forced.strip().lower().replace("-", "_"))
        if profile is None:
            names = ", ".join(sorted(BY_NAME))
            raise ImportFailed(
                _("`{typed}` is not a format kpibot knows. The formats are: {names}.").format(
                    typed=forced, names=names
                )
            )
        return profile

    def _tagged(self, dims: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
        return tuple(sorted({**dict(dims), **self.tags}.items()))

    def _read_progress(self) -> None:
        if self.progress:
            self.progress("reading", self.raw.tell(), self.size)

    def _context(self, numbers: str) -> ReadContext:
        currency = self.store.settings(self.team).currency
        return ReadContext(self.name, self.tz, self.tags, currency, Numbers(numbers))

    def _text(self, chunks: Chunks, forced: Profile | None) -> None:
        fmt = text_format(self.raw)
        reader, wrapper = text_rows(self.raw, fmt)
        self.reader = reader
        try:
            self._text_rows(reader, fmt.numbers, chunks, forced)
        finally:
            wrapper.detach()

    def _text_rows(
        self, reader: Iterator[list[str]], numbers: str, chunks: Chunks, forced: Profile | None
    ) -> None:
        rows = _numbered(reader)
        candidates = (
            [forced]
            if forced
            else [p for p in PROFILES if p.layout == "mapped" and p.container != "workbook"]
        )
        head: list[tuple[int, list[object]]] = []
        for item in rows:
            head.append(item)
            if len(head) >= 60:
                break
        found = (
            find_header(iter(head), candidates, loose=forced is not None)
            if not forced or forced.layout == "mapped"
            else None
        )
        if found is None:
            native = forced is None or forced.layout in ("long", "wide")
            first = next(
                ((i, c) for i, (_, c) in enumerate(head) if any(cell_text(x).strip() for x in c)), None
            )
            names = {snake(cell_text(c)) for c in first[1]} if first is not None else set()
            if native and first is not None and names & {"date", "metric", "value"}:
                after = [(n, [cell_text(c) for c in cells]) for n, cells in head[first[0] + 1 :]]
                header = [cell_text(c) for c in first[1]]
                read_native(header, after, reader, chunks, self.summary, self.tz, self.name)
                return
            if first is None:
                raise ImportFailed(
                    _(
                        "`{name}` is empty. Expected a platform export or kpibot's own CSV "
                        "(`date,metric,value[,network,...]` or `date,<metric>,...`)."
                    ).format(name=self.name)
                )
            raise ImportFailed(self._unknown(forced))
        profile, line, header, preamble = found
        ctx = self._context(numbers)
        position = next(i for i, (n, _) in enumerate(head) if n == line)
        remaining = _chain_numbered(head[position + 1 :], rows)
        self._tables(profile, header, preamble, remaining, ctx, chunks, candidates)

    def _workbook(self, chunks: Chunks, kind: str, forced: Profile | None) -> None:
        sheets = workbook_sheets(self.raw, self.name, kind)
        candidates = (
            [forced] if forced else [p for p in PROFILES if p.layout == "mapped" and p.container != "text"]
        )
        ctx = self._context("us")
        found_any = False
        notes: dict[str, str] = {}
        for profile in candidates:
            notes.update({k: v for k, v in profile.sheets})
        for sheet in sheets:
            numbered = list(enumerate(sheet.rows, start=1))
            found = find_header(iter(numbered), candidates, loose=forced is not None)
            if found is None:
                reason = notes.get(sheet.name.strip().lower(), "not a table kpibot knows")
                if not any(any(cell_text(c).strip() for c in row) for _, row in numbered):
                    continue
                self.summary.notes.append(
                    _("sheet `{sheet}` skipped: {reason}").format(sheet=sheet.name, reason=reason)
                )
                continue
            found_any = True
            profile, line, header, preamble = found
            self.summary.notes.append(f"sheet `{sheet.name}`: {profile.title}")
            self._tables(profile, header, preamble, iter(numbered[line:]), ctx, chunks, [profile])
        if not found_any:
            raise ImportFailed(self._unknown(forced))

    def _tables(
        self,
        profile: Profile,
        header: list[str],
        preamble: list[str],
        rows: Iterator[tuple[int, list[object]]],
        ctx: ReadContext,
        chunks: Chunks,
        candidates: list[Profile],
    ) -> None:
        """Read one table, then any tables after it (GA4 downloads hold several)."""
        family = [p for p in candidates if p is profile or (profile.family and p.family == profile.family)]
        while True:
            table = Table(profile, header, preamble, ctx)
            if not self.summary.format:
                self.summary.format = profile.title
                self.summary.layout = profile.name
                self.summary.notes.extend(profile.notes)
            elif profile.title not in self.summary.format:
                self.summary.format += f" + {profile.title}"
            self.summary.mappings += table.report.mappings
            self.summary.skipped += table.report.skipped
            self.summary.notes += table.report.notes
            ended = self._rows(table, rows, chunks)
            ctx.covered |= table.metrics()
            if not ended:
                return
            found = find_header(rows, family)
            if found is None:
                return
            profile, _table, header, preamble = found

    def _rows(self, table: Table, rows: Iterator[tuple[int, list[object]]], chunks: Chunks) -> bool:
        """Read a table's rows into ``chunks``; True when a break ended it (another may follow)."""
        summary, days = self.summary, self.days
        counts: dict[str, int] = {}
        series: dict[tuple[str, tuple[tuple[str, str], ...]], int] = {}
        moment, observations = chunks.moment, table.observations
        first, last_day = True, ""
        try:
            for line, cells in rows:
                if is_break(cells):
                    return True
                reason = table.skip_reason(cells, first)
                first = False
                if reason:
                    summary.notes.append(_("line {line}: {reason}, skipped").format(line=line, reason=reason))
                    continue
                summary.read += 1
                try:
                    found = observations(cells)
                except CellError as exc:
                    summary.add_problem(line, str(exc))
                    continue
                for metric, dims, day, value in found:
                    key = (metric, dims)
                    sid = series.get(key)
                    if sid is None:
                        sid = series[key] = chunks.series(metric, dims)
                    moment((sid, day, value))
                    counts[metric] = counts.get(metric, 0) + 1
                    if day != last_day:
                        days.add(day)
                        last_day = day
            return False
        finally:
            summary.per_metric.update(counts)

    def _unknown(self, forced: Profile | None) -> str:
        if forced:
            return _("`{name}` does not look like a {format}: its header was not found.").format(
                name=self.name, format=forced.title
            )
        formats = ", ".join(p.title for p in PROFILES)
        return (
            f"`{self.name}` is not a layout kpibot knows. It reads: {formats}. `kpibot import --formats` shows "
            "an example header of each; a file of your own can use `date,metric,value[,network,...]`."
        )


def _numbered(reader: Iterator[list[str]]) -> Iterator[tuple[int, list[object]]]:
    for cells in reader:
        yield reader.line_num, cells  # type: ignore[attr-defined, misc]


def _chain_numbered(
    head: list[tuple[int, list[object]]], rest: Iterator[tuple[int, list[object]]]
) -> Iterator[tuple[int, list[object]]]:
    yield from head
    yield from rest

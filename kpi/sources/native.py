"""kpibot's own CSV layouts, long (`date,metric,value,...`) and wide (`date,<metric>,...`): the
two profiles with a reader of their own, since they carry any metric and dimension by name.

The hot loop reads a long file's usual row with a few dictionary look-ups; anything unusual goes
through the careful path, which names each bad row.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from operator import itemgetter
from zoneinfo import ZoneInfo

from .. import staging
from ..errors import ImportFailed
from ..i18n import _
from ..limits import FIRST_DAY, LAST_DAY, MAX_COLUMNS, MAX_VALUE, calendar_problem, storable, value_problem
from ..names import dimension_value, snake
from ..staging import Chunks
from .summary import ImportSummary

SAMPLE_ROWS = 1_000
KNOWN_DIMENSIONS = {
    "network",
    "region",
    "segment",
    "source",
    "country",
    "channel",
    "campaign",
    "platform",
    "market",
    "audience",
    "language",
    "city",
    "device",
    "medium",
    "account",
    "brand",
    "product",
}
BASE_METRICS = {
    "impressions",
    "reach",
    "organic_reach",
    "paid_reach",
    "views",
    "posts",
    "likes",
    "comments",
    "shares",
    "saves",
    "clicks",
    "followers",
    "new_followers",
    "lost_followers",
    "reviews",
    "mentions",
    "sessions",
    "social_sessions",
    "referral_sessions",
    "direct_sessions",
    "bounces",
    "conversions",
    "leads",
    "customers",
    "revenue",
    "spend",
    "hours",
    "csat",
}
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_GROUPED = re.compile(r"-?\d{1,3}(,\d{3})+(\.\d+)?")


# Called with a stage ("reading" or "writing"), the work done and the work in all: bytes of
# the file while reading, chunks while writing.
class RowError(Exception):
    pass


class _Dates:
    """Parses and caches dates (a file repeats each date many times).

    Returns the ISO day and whether the cell was a date-time: date-times are events bucketed into
    their day in the team's time zone, so several of them on one day add up.
    """

    def __init__(self, tz: str) -> None:
        self.tz = ZoneInfo(tz)
        self.cache: dict[str, tuple[str, bool]] = {}
        self.plain: dict[str, str] = {}

    def __call__(self, text: str) -> tuple[str, bool]:
        cached = self.cache.get(text)
        if cached is not None:
            return cached
        raw = text.strip()
        if not raw:
            raise RowError("the date is empty")
        try:
            if _ISO_DAY.fullmatch(raw):
                day, moment_given = date.fromisoformat(raw), False
            else:
                moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
                if moment.tzinfo is not None:
                    moment = moment.astimezone(self.tz)
                day, moment_given = moment.date(), True
        except (ValueError, OverflowError):
            raise RowError(
                _("`{typed}` is not a date; write dates as YYYY-MM-DD").format(typed=raw)
            ) from None
        if not FIRST_DAY <= day <= LAST_DAY:
            raise RowError(calendar_problem(raw))
        parsed = (day.isoformat(), moment_given)
        if len(self.cache) < 100_000:
            self.cache[text] = parsed
            if not parsed[1]:
                self.plain[text] = parsed[0]
        return parsed


def _number(text: str) -> float | None:
    """The value of a cell, None for an empty one; an error names a non-numeric one."""
    try:
        number = float(text)
    except ValueError:
        raw = text.strip()
        if not raw:
            return None
        if _GROUPED.fullmatch(raw):
            return _number(raw.replace(",", ""))
        raise RowError(_("`{typed}` is not a number").format(typed=raw)) from None
    if math.isnan(number):
        raise RowError(_("`{typed}` is not a number").format(typed=text.strip()))
    if not storable(number):
        raise RowError(value_problem(text.strip()))
    return number


def _is_number(text: str) -> bool:
    try:
        _number(text)
    except RowError:
        return False
    return True


class _RowReader:
    """Validates rows and hands them to the writer: the import's hot loop.

    Series ids are cached by the raw text of the metric and dimension cells, so the usual row costs
    a few dictionary look-ups; names are normalised only the first time a combination appears.
    """

    def __init__(
        self, layout: _Layout, width: int, dates: _Dates, writer: Chunks, summary: ImportSummary
    ) -> None:
        self.layout, self.width, self.dates, self.writer, self.summary = layout, width, dates, writer, summary
        self.dim_cols = layout.dim_cols
        indexes = [i for _, i in layout.dim_cols]
        if layout.kind == "long":
            indexes = [layout.metric_col, *indexes]
        self.key_of = itemgetter(*indexes) if indexes else (lambda cells: ())
        self.single = len(indexes) == 1
        self.sids: dict[object, object] = {}

    def _resolve(self, key: object) -> object:
        """Series id (long) or per-metric-column series ids (wide) for raw key cells."""
        cells = (key,) if self.single else key
        assert isinstance(cells, tuple)
        if self.layout.kind == "long":
            metric_raw, dim_cells = cells[0].strip(), cells[1:]
            if not metric_raw:
                raise RowError("the metric name is empty")
        else:
            dim_cells = cells
        dims = tuple(
            sorted(
                (dim, dimension_value(v))
                for (dim, _), v in zip(self.dim_cols, dim_cells, strict=True)
                if v.strip()
            )
        )
        if self.layout.kind == "long":
            resolved: object = self.writer.series(snake(metric_raw), dims)
        else:
            resolved = [(i, self.writer.series(metric, dims)) for metric, i in self.layout.metric_cols]
        self.sids[key] = resolved
        return resolved

    def feed(self, line: int, cells: list[str]) -> None:
        """The careful path, one row at a time: for the sampled rows and for any row the fast loop doubts."""
        summary = self.summary
        if not cells:
            return
        summary.read += 1
        if len(cells) != self.width:
            summary.add_problem(
                line,
                _("{count} fields where the header has {width}").format(count=len(cells), width=self.width),
            )
            return
        try:
            day, moment = self.dates(cells[self.layout.date_col])
            key = self.key_of(cells)
            resolved = self.sids.get(key)
            if resolved is None:
                resolved = self._resolve(key)
            if self.layout.kind == "long":
                pairs = [(resolved, self.layout.value_col)]
            else:
                pairs = [(sid, i) for i, sid in resolved]  # type: ignore[union-attr]
            values = [(sid, _number(cells[i])) for sid, i in pairs]
        except RowError as exc:
            summary.add_problem(line, str(exc))
            return
        writer = self.writer
        for sid, value in values:
            if value is None:
                continue
            row = (sid, day, value)
            if moment:
                writer.moment(row)
            else:
                writer.batch.append(row)
        if len(writer.batch) + len(writer.additions) >= staging.CHUNK_ROWS:
            writer.flush()

    def run(self, reader: Iterator[list[str]]) -> None:
        """The fast path for long files with plain dates; everything unusual goes through ``feed``."""
        if self.layout.kind != "long":
            for cells in reader:
                self.feed(reader.line_num, cells)  # type: ignore[attr-defined]
            return
        width, date_col, value_col = self.width, self.layout.date_col, self.layout.value_col
        key_of, sids, plain_days = self.key_of, self.sids, self.dates.plain
        writer = self.writer
        append = writer.batch.append
        low, high = -MAX_VALUE, MAX_VALUE
        read = 0
        room = staging.CHUNK_ROWS - len(writer.batch)
        for cells in reader:
            if len(cells) == width:
                day = plain_days.get(cells[date_col])
                sid = sids.get(key_of(cells))
                if day is not None and sid is not None:
                    try:
                        value = float(cells[value_col])
                    except ValueError:
                        value = math.nan
                    if low <= value <= high:  # False for nan, infinities and values past the bound
                        read += 1
                        append((sid, day, value))
                        room -= 1
                        if not room:
                            writer.flush()
                            append = writer.batch.append
                            room = staging.CHUNK_ROWS
                        continue
            self.feed(reader.line_num, cells)  # type: ignore[attr-defined]
            append = writer.batch.append
            room = staging.CHUNK_ROWS - len(writer.batch)
        self.summary.read += read


def _check_header(header: list[str], cells: list[str], name: str) -> None:
    if "date" not in header:
        raise ImportFailed(
            f"`{name}` line 1: no `date` column. The header is `{','.join(cells)}`; "
            "expected `date,metric,value,...` or `date,<metric>,...`."
        )
    if "value" in header and "metric" not in header:
        raise ImportFailed(
            f"`{name}` line 1: a `value` column needs a `metric` column naming what it measures."
        )
    if "metric" in header and "value" not in header:
        raise ImportFailed(_("`{name}` line 1: a `metric` column needs a `value` column.").format(name=name))
    if len(header) > MAX_COLUMNS:
        raise ImportFailed(
            f"`{name}` line 1: {len(header):,} columns; kpibot reads files of up to {MAX_COLUMNS:,} columns. "
            "Split the file, or export fewer metrics per file."
        )
    duplicates = sorted(h for h, n in Counter(header).items() if n > 1 and h)
    if duplicates:
        raise ImportFailed(
            _("`{name}` line 1: the column `{column}` appears twice.").format(name=name, column=duplicates[0])
        )
    if any(not h for h in header):
        raise ImportFailed(_("`{name}` line 1: a column has no name.").format(name=name))


@dataclass
class _Layout:
    kind: str
    date_col: int
    dim_cols: list[tuple[str, int]]
    metric_col: int = -1
    value_col: int = -1
    metric_cols: list[tuple[str, int]] = field(default_factory=list)

    @classmethod
    def detect(cls, header: list[str], sample: list[tuple[int, list[str]]]) -> _Layout:
        """Long when there are `metric` and `value` columns; wide otherwise.

        In a wide file a column is a dimension when its name is a usual dimension (network, region, ...)
        or when none of its values in the first rows is a number and it is not a base metric of the
        catalog; every other column is a metric.
        """
        date_col = header.index("date")
        others = [(h, i) for i, h in enumerate(header) if i != date_col]
        if "metric" in header:
            dims = [(h, i) for h, i in others if h not in ("metric", "value")]
            return cls("long", date_col, dims, header.index("metric"), header.index("value"))
        dims, metrics = [], []
        for h, i in others:
            values = [cells[i] for _, cells in sample if i < len(cells) and cells[i].strip()]
            textual = bool(values) and not any(_is_number(v) for v in values)
            is_dimension = h in KNOWN_DIMENSIONS or (textual and h not in BASE_METRICS)
            (dims if is_dimension else metrics).append((h, i))
        if not metrics:
            raise ImportFailed(
                "line 1: no metric columns. A wide file has `date` and one numeric column per metric; "
                "a long file has `date,metric,value`."
            )
        return cls("wide", date_col, dims, metric_cols=metrics)


def read_native(
    header_cells: list[str],
    head: list[tuple[int, list[str]]],
    reader: Iterator[list[str]],
    chunks: Chunks,
    summary: ImportSummary,
    tz: str,
    name: str,
) -> None:
    """Read a long or wide file into ``chunks``: its header, the rows already read after it
    (``head``), then the rest of ``reader``."""
    header = [snake(h) for h in header_cells]
    _check_header(header, header_cells, name)
    sample = list(head)
    if "metric" not in header:
        for row in reader:
            sample.append((reader.line_num, row))  # type: ignore[attr-defined]
            if len(sample) >= SAMPLE_ROWS:
                break
    layout = _Layout.detect(header, sample)
    summary.layout = layout.kind
    summary.format = f"kpibot {layout.kind} CSV"
    rows = _RowReader(layout, len(header), _Dates(tz), chunks, summary)
    for line, cells in sample:
        rows.feed(line, cells)
    rows.run(reader)

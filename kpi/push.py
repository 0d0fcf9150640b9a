"""Observations pushed by a pipeline (SOURCES §5): a JSON batch, or CSV in any layout `kpibot import`
reads. The rules of an import hold: every item is checked before anything is written, a bad one is
named (`observations[N]` or `line N`) and nothing is written, and a pushed value replaces the value
of its (date, metric, dimensions) key, so a pipeline that sends a day again doubles nothing.
"""

from __future__ import annotations

import io
import json
from datetime import date

from .errors import ImportFailed, UnsupportedBody
from .importer import ImportSummary, import_file
from .limits import FIRST_DAY, LAST_DAY, calendar_problem, storable, value_problem
from .names import dimension_value, snake
from .staging import Chunks, Staging
from .store import Store

MAX_PUSH_BYTES = 10 * 1024 * 1024
MAX_OBSERVATIONS = 200_000
MAX_DIMENSIONS = 20
MAX_TEXT = 200


def push(store: Store, team: str, body: bytes, content_type: str) -> ImportSummary:
    """Write a pushed body for ``team``; raises ImportFailed (nothing written) or UnsupportedBody."""
    kind = content_type.split(";")[0].strip().lower()
    if kind == "application/json":
        return _push_json(store, team, body)
    if kind in ("text/csv", "application/csv", "text/plain"):
        return import_file(store, team, "the request body", stream=io.BytesIO(body))
    raise UnsupportedBody(
        f"A body of type `{kind or 'none'}` is not read: send `application/json` "
        '({"observations": [...]}) or `text/csv`.'
    )


def _push_json(store: Store, team: str, body: bytes) -> ImportSummary:
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        raise ImportFailed(
            'The body is not JSON. Send {"observations": [{"date": ..., "metric": ..., "value": ...}]}.'
        ) from None
    items = document.get("observations") if isinstance(document, dict) else None
    if not isinstance(items, list):
        raise ImportFailed(
            'The body needs an `observations` list: {"observations": [{"date": ..., "metric": ..., "value": ...}]}.'
        )
    if len(items) > MAX_OBSERVATIONS:
        raise ImportFailed(
            f"{len(items):,} observations in one body; send at most {MAX_OBSERVATIONS:,} a request."
        )
    summary = ImportSummary("the request body", format="JSON observations", layout="json")
    with Staging(store) as staging:
        chunks = Chunks(staging)
        series: dict[tuple[str, tuple[tuple[str, str], ...]], int] = {}
        days: set[str] = set()
        for index, item in enumerate(items):
            summary.read += 1
            try:
                day, metric, value, dims = _observation(item)
            except ValueError as exc:
                summary.rejected += 1
                if len(summary.problems) < 1000:
                    summary.problems.append(f"observations[{index}]: {exc}")
                continue
            key = (metric, dims)
            sid = series.get(key)
            if sid is None:
                sid = series[key] = chunks.series(metric, dims)
            chunks.replace((sid, day, value))
            summary.per_metric[metric] += 1
            days.add(day)
        chunks.flush()
        if summary.rejected:
            raise ImportFailed(
                f"{summary.rejected} of {summary.read} observations are invalid; nothing was written.",
                summary.listing(),
            )
        if days:
            summary.first_day, summary.last_day = min(days), max(days)
        merged = staging.merge(store, team)
        summary.inserted, summary.replaced, summary.unchanged = (
            merged.inserted,
            merged.replaced,
            merged.unchanged,
        )
    return summary


def _observation(item: object) -> tuple[str, str, float, tuple[tuple[str, str], ...]]:
    if not isinstance(item, dict):
        raise ValueError("each observation is an object with `date`, `metric` and `value`")
    raw_day, raw_metric, raw_value = item.get("date"), item.get("metric"), item.get("value")
    if not isinstance(raw_day, str):
        raise ValueError("`date` is missing; write it as YYYY-MM-DD")
    try:
        day = date.fromisoformat(raw_day[:10]) if len(raw_day) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise ValueError(f"`{raw_day[:40]}` is not a date; write it as YYYY-MM-DD")
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(calendar_problem(raw_day))
    if not isinstance(raw_metric, str) or not snake(raw_metric[:MAX_TEXT]):
        raise ValueError("`metric` is missing or empty")
    if isinstance(raw_value, bool) or not isinstance(raw_value, int | float):
        raise ValueError("`value` must be a number")
    value = float(raw_value)
    if not storable(value):
        raise ValueError(value_problem(str(raw_value)[:40]))
    dims_in = item.get("dimensions") or {}
    if not isinstance(dims_in, dict) or len(dims_in) > MAX_DIMENSIONS:
        raise ValueError(f"`dimensions` must be an object of at most {MAX_DIMENSIONS} names and values")
    dims = {}
    for name, text in dims_in.items():
        if (
            not isinstance(text, str | int | float)
            or isinstance(text, bool)
            or not snake(str(name)[:MAX_TEXT])
        ):
            raise ValueError(f"the dimension `{str(name)[:40]}` needs a text value")
        if str(text).strip():
            dims[snake(str(name)[:MAX_TEXT])] = dimension_value(str(text)[:MAX_TEXT])
    return day.isoformat(), snake(raw_metric[:MAX_TEXT]), value, tuple(sorted(dims.items()))

"""How unusual a value is: the modified z-score of Iglewicz and Hoaglin, shared by digests and alerts.

The score is 0.6745 × (value − median) / MAD, where MAD is the median absolute deviation of the
history: a median-based score, so one earlier outlier does not hide the next. Beyond 3.5 the value
is flagged. The usual range is the band of values that would not be flagged.

A MAD below 1% of the median counts as 1%: over a handful of very steady periods the MAD can be tiny
by chance, and a 2% wobble would then score beyond 3.5. With the floor, a move must be at least
about 5% of the median to be flagged.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

THRESHOLD = 3.5
MIN_HISTORY = 5
_K = 0.6745
MAD_FLOOR = 0.01


def _centre(history: Sequence[float]) -> tuple[float, float] | None:
    if len(history) < MIN_HISTORY:
        return None
    median = statistics.median(history)
    mad = max(statistics.median(abs(x - median) for x in history), MAD_FLOOR * abs(median))
    return (median, mad) if mad else None


def modified_z(value: float, history: Sequence[float]) -> float | None:
    """The score of ``value`` against ``history``; None with fewer than five values or no spread."""
    centre = _centre(history)
    if centre is None:
        return None
    median, mad = centre
    return _K * (value - median) / mad


def usual_range(history: Sequence[float]) -> tuple[float, float, float] | None:
    """(low, median, high): the values whose score stays within the threshold."""
    centre = _centre(history)
    if centre is None:
        return None
    median, mad = centre
    half = THRESHOLD * mad / _K
    return median - half, median, median + half

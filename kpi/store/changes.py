"""What a write changes in the tables derived from observations, worked out from the rows alone:
the cube's cells (the whole team and each dimension value, by day and by month) and the monthly
rollup. Pure functions, shared by the writer of small writes and the merge of an import."""

from __future__ import annotations

from operator import itemgetter

Row = tuple[int, str, float]
KEY = itemgetter(0, 1)  # a row's (series id, date)
# A change to one cube cell: (cube key id, date or month, amount, count).
CubeChange = tuple[int, str, float, int]
Cell = tuple[str, str, str]  # (metric, dim, value); dim '' is the whole team

# Dimensions whose values are items (a campaign, a product, a post) rather than slices of the team
# (a network, a region). Each value is about one series, so cube cells for them would copy the
# observations row for row: in a Google Ads campaign report they were two thirds of the import's
# time under the write lock, and of its time in all. A breakdown or filter on them reads the series.
# Files upgraded past migration 13 keep the cells of a name added here later: adding one needs a
# migration that deletes its cube keys and their cells, as m013_item_dimensions_off_the_cube deleted
# the cells of these (before m014 gave cells their keys).
ITEM_DIMENSIONS = frozenset(
    {
        "campaign",
        "ad_group",
        "ad_set",
        "ad",
        "keyword",
        "creative",
        "product",
        "post",
        "video",
        "page_path",
        "landing_page",
        "url",
    }
)


def cube_cells(metric: str, dims: tuple[tuple[str, str], ...]) -> list[Cell]:
    """The cube cells a series of ``metric`` with (sorted) ``dims`` counts in."""
    return [(metric, "", ""), *((metric, d, v) for d, v in dims if d not in ITEM_DIMENSIONS)]


def cube_changes(
    rows: list[Row], amounts: list[float], counts: list[int], cube_keys: dict[int, list[int]]
) -> list[CubeChange]:
    """The (cube key, date, amount, count) changes rows make to the cube cells of their series: the
    whole team (dim '') and each dimension value, each a key of ``cube_keys`` (series id to its
    cube keys' ids). ``amounts`` are the rows' changes of value, ``counts`` 1 for a key new to the
    store.

    Rows come sorted by series. Each series' run of days is collected under its cube keys; when the
    runs under a key cover the same days (the usual case: every series on every day) they are summed
    column by column, else merged day by day.
    """
    runs: dict[int, list[tuple[tuple[str, ...], list[float], list[int]]]] = {}
    start = 0
    size = len(rows)
    while start < size:
        sid = rows[start][0]
        end = start
        while end < size and rows[end][0] == sid:
            end += 1
        run = (tuple(rows[i][1] for i in range(start, end)), amounts[start:end], counts[start:end])
        for key in cube_keys[sid]:
            runs.setdefault(key, []).append(run)
        start = end
    deltas = []
    for key, group in runs.items():
        days = group[0][0]
        if all(r[0] == days for r in group):
            sums = map(sum, zip(*(r[1] for r in group), strict=True))
            numbers = map(sum, zip(*(r[2] for r in group), strict=True))
            deltas.extend((key, day, a, n) for day, a, n in zip(days, sums, numbers, strict=True))
            continue
        merged: dict[str, list[float]] = {}
        for run_days, run_amounts, run_counts in group:
            for day, amount, count in zip(run_days, run_amounts, run_counts, strict=True):
                slot = merged.get(day)
                if slot is None:
                    merged[day] = [amount, count]
                else:
                    slot[0] += amount
                    slot[1] += count
        deltas.extend((key, day, a, int(n)) for day, (a, n) in merged.items())
    deltas.sort()
    return deltas


def by_month(cube: list[CubeChange]) -> list[CubeChange]:
    """The monthly cube's changes: the daily changes summed by month."""
    months: dict[tuple[int, str], list[float]] = {}
    for key, day, amount, count in cube:
        slot = months.setdefault((key, day[:7]), [0.0, 0])
        slot[0] += amount
        slot[1] += count
    return [(*key, amount, int(count)) for key, (amount, count) in sorted(months.items())]


def month_changes(
    rows: list[Row], amounts: list[float], counts: list[int]
) -> list[tuple[int, str, float, int, str, float]]:
    """Each (series, month)'s change to the monthly rollup: the change of its sum and of its number
    of points, and its newest changed day with that day's value (rows come in key order)."""
    out: list[tuple[int, str, float, int, str, float]] = []
    current: tuple[int, str] | None = None
    total, n, last_date, last_value = 0.0, 0, "", 0.0
    for (sid, day, value), amount, count in zip(rows, amounts, counts, strict=True):
        key = (sid, day[:7])
        if key != current:
            if current is not None:
                out.append((*current, total, n, last_date, last_value))
            current, total, n = key, 0.0, 0
        total += amount
        n += count
        last_date, last_value = day, value
    if current is not None:
        out.append((*current, total, n, last_date, last_value))
    return out

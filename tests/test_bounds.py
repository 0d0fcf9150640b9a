"""Input at the edges: numbers a float cannot hold, dates outside the calendar, formulas that explode,
commands the size of a file. Each is refused with a message and changes nothing."""

from __future__ import annotations

import io
import re

import pytest

from kpi.errors import ImportFailed, InvalidCommand, InvalidFormula, InvalidPeriod, InvalidTarget
from kpi.importer import import_file

from .conftest import SOCIAL, ask, load, snapshot
from .test_cli import kpibot


@pytest.fixture
def data(store):
    load(store, "T1", SOCIAL)
    return store


@pytest.mark.parametrize("number", ["inf", "-inf", "nan", "1e309", "9" * 400, "1e16", "Infinity"])
def test_record_refuses_numbers_it_cannot_store(data, number):
    before = snapshot(data)
    with pytest.raises(InvalidCommand, match="is not a number kpibot can store"):
        ask(data, f"/kpi record likes {number} 2026-11-10 network:facebook")
    assert snapshot(data) == before
    assert ask(data, "/kpi engagements 2026-W46").lines[0].startswith("290 ")  # answers still work


@pytest.mark.parametrize(
    "text, error",
    [
        ("/kpi goal leads 1" + "0" * 400, InvalidTarget),
        ("/kpi goal leads 2000000000000000000", InvalidTarget),
        ("/kpi set hourly_rate inf", InvalidCommand),
        ("/kpi set hourly_rate 1e309", InvalidCommand),
        ("/kpi record likes 3 1899-12-31", InvalidCommand),
        ("/kpi goal leads 10 by 9999-12-31", InvalidTarget),
        ("/kpi define big = sum(likes) * 1" + "0" * 400, InvalidFormula),
    ],
)
def test_targets_settings_and_dates_past_the_bounds_are_refused(data, text, error):
    before = snapshot(data)
    with pytest.raises(error):
        ask(data, text)
    assert snapshot(data) == before


@pytest.mark.parametrize(
    "cell, reason",
    [
        ("1e309", "`1e309` is not a number kpibot can store"),
        ("inf", "`inf` is not a number kpibot can store"),
        ("1" + "0" * 399, "`1000000000000000000000000000000000000…` is not a number kpibot can store"),
        ("1e300", "`1e300` is not a number kpibot can store"),
    ],
)
def test_imports_refuse_values_whose_sums_would_overflow(data, cell, reason):
    before = snapshot(data)
    body = "date,likes,network\n2026-11-10,1,x\n" + f"2026-11-11,{cell},x\n" * 3
    with pytest.raises(ImportFailed) as refused:
        import_file(data, "T1", "big.csv", stream=io.BytesIO(body.encode()))
    assert refused.value.problems[0].startswith(f"line 3: {reason}")
    assert snapshot(data) == before


def test_the_largest_storable_values_still_sum_and_answer(data):
    body = "date,likes,impressions\n" + "".join(f"2026-11-{d:02d},1e15,1\n" for d in range(9, 16))
    import_file(data, "T1", "edge.csv", stream=io.BytesIO(body.encode()))
    assert ask(data, "/kpi engagements 2026-W46").lines[0].startswith("7,000,000,000,000,290 ")


def test_import_dates_outside_the_calendar_are_refused(data):
    with pytest.raises(ImportFailed) as refused:
        import_file(
            data, "T1", "old.csv", stream=io.BytesIO(b"date,likes\n0001-01-01,4\n9999-12-31T10:00Z,1\n")
        )
    assert refused.value.problems == [
        "line 2: `0001-01-01` is outside the dates kpibot works with (1900 to 2199)",
        "line 3: `9999-12-31T10:00Z` is outside the dates kpibot works with (1900 to 2199)",
    ]


EDGE_PERIODS = {
    "0001-01": "is outside the dates kpibot works with (1900 to 2199)",
    "0001-W01": "is outside the dates kpibot works with",
    "9999-12-30": "is outside the dates kpibot works with",
    "9999-W52": "is outside the dates kpibot works with",
    "last 300 years": "is longer than ten years",
    "last 99999999999999999999 days": "is longer than ten years",
    "1900-01-01..2200-12-31": "is outside the dates kpibot works with",
    "1950-01-01..1990-12-31": "is longer than ten years",
}


@pytest.mark.parametrize("period", EDGE_PERIODS)
def test_periods_at_the_edges_of_the_calendar_are_explained(data, period):
    with pytest.raises(InvalidPeriod, match=re.escape(EDGE_PERIODS[period])):
        ask(data, f"/kpi engagement {period}")


@pytest.mark.parametrize(
    "period", ["1900-01", "2199-12", "last 10 years", "2199-W52", "1900-01-01..1909-12-31"]
)
def test_the_first_and_last_periods_kpibot_works_with_answer(data, period):
    assert ask(data, f"/kpi engagement {period}").title.startswith("Engagement rate · ")


def test_chained_definitions_are_bounded_when_defined(data):
    ask(data, "/kpi define level1 = " + " + ".join(["sum(likes)"] * 300))
    with pytest.raises(InvalidFormula, match="too large once the KPIs it uses are written out"):
        ask(data, "/kpi define level2 = (" + " + ".join(["level1"] * 300) + ") / 300")
    assert "level2" not in ask(data, "/kpi list").table.rows.__repr__()


def test_a_kpi_used_many_times_is_computed_once(data):
    ask(data, "/kpi define base = sum(likes)")
    ask(data, "/kpi define twice = (" + " + ".join(["base"] * 200) + ") / 200")
    assert ask(data, "/kpi twice 2026-W46").lines[0].startswith("220")


@pytest.mark.parametrize("depth", [41, 330, 1900])
def test_deeply_nested_formulas_are_refused(data, depth):
    with pytest.raises(InvalidFormula, match="nests parentheses and signs more than 40 deep"):
        ask(data, "/kpi define deep = " + "(" * depth + "sum(likes)" + ")" * depth)
    with pytest.raises(InvalidFormula, match="more than 40 deep"):
        ask(data, "/kpi define negs = " + "-" * depth + "sum(likes)")


def test_a_huge_command_is_refused_before_it_is_parsed(data):
    with pytest.raises(
        InvalidCommand, match="1,000,005 characters long; kpibot reads commands of up to 4,000"
    ):
        ask(data, "/kpi " + "x" * 1_000_000)


def test_ask_explains_each_edge_and_the_demo_console_goes_on(tmp_path):
    for period in ("0001-01", "last 300 years"):
        result = kpibot("ask", f"/kpi impressions {period}", cwd=tmp_path)
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert EDGE_PERIODS[period] in result.stderr
    lines = [f"/kpi engagement {p}" for p in EDGE_PERIODS]
    lines.append("/kpi define deep = " + "(" * 330 + "sum(likes)" + ")" * 330)
    lines.append("/kpi list")
    demo = kpibot("demo", "--now", "2026-12-01T08:00Z", cwd=tmp_path, stdin="\n".join(lines) + "\n")
    assert demo.returncode == 0, demo.stderr
    assert demo.stdout.count("\n> /kpi") + demo.stdout.startswith("> /kpi") == len(lines)
    assert "KPI catalog" in demo.stdout.split("> /kpi list")[1]
    assert "Traceback" not in demo.stdout + demo.stderr


def test_a_file_with_too_many_columns_is_refused_at_its_header(data):
    header = "date," + ",".join(f"metric_{i}" for i in range(40_000))
    with pytest.raises(ImportFailed, match="40,001 columns; kpibot reads files of up to 1,000 columns"):
        import_file(
            data,
            "T1",
            "wide.csv",
            stream=io.BytesIO((header + "\n2026-11-10," + "1," * 39_999 + "1\n").encode()),
        )


def test_a_cell_past_the_size_limit_is_a_broken_file(data):
    before = snapshot(data)
    body = "date,metric,value,network\n2026-11-10,likes,1,x\n2026-11-10,likes,2," + "y" * 20_000 + "\n"
    with pytest.raises(
        ImportFailed, match=r"not a readable CSV file \(line 3: field larger than field limit"
    ):
        import_file(data, "T1", "long.csv", stream=io.BytesIO(body.encode()))
    assert snapshot(data) == before

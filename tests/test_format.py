import pytest

from kpi import format as fmt


@pytest.mark.parametrize(
    "number, unit, expected",
    [
        (0.0432, "percent", "4.3%"),
        (12345, "count", "12,345"),
        (12345.6, "count", "12,346"),
        (3.4666, "ratio", "3.47"),
        (12.34, "currency", "USD 12.34"),
        (1234.5, "currency", "USD 1,234.50"),
        (4.26, "score", "4.3"),
        (None, "count", "no data"),
    ],
)
def test_values(number, unit, expected):
    assert fmt.value(number, unit) == expected


def test_currency_code_is_the_teams():
    assert fmt.value(5, "currency", "EUR") == "EUR 5.00"


@pytest.mark.parametrize(
    "current, previous, unit, expected",
    [
        (0.047, 0.043, "percent", "+0.4 pp"),
        (0.040, 0.043, "percent", "-0.3 pp"),
        (112.5, 100, "count", "+12.5%"),
        (3.0, 4.0, "ratio", "-25.0%"),
        (11, 10, "currency", "+10.0%"),
        (4.5, 4.2, "score", "+0.3"),
        (5, 0, "count", "n/a"),
        (None, 3, "count", "n/a"),
    ],
)
def test_changes(current, previous, unit, expected):
    assert fmt.change(current, previous, unit) == expected


def test_direction_follows_the_kpi():
    assert fmt.direction(0.40, 0.45, "percent", lower_is_better=True) == "good"
    assert fmt.direction(0.40, 0.45, "percent", lower_is_better=False) == "bad"
    assert fmt.direction(0.4301, 0.4300, "percent", lower_is_better=False) == "flat"
    assert fmt.arrow(0.4301, 0.4300, "percent") == "→"


def test_sparkline():
    assert fmt.sparkline([1, 2, 3, 4, 5, 6, 7, 8]) == "▁▂▃▄▅▆▇█"
    assert fmt.sparkline([None, 1, 1]) == "·▄▄"

import pytest

from kpi import formula as fx
from kpi.errors import InvalidFormula


def test_parses_precedence_and_linear_aggregates():
    tree = fx.parse("sum(likes + comments - 2 * shares) / sum(impressions) * 100")
    assert isinstance(tree, fx.BinOp) and tree.op == "*"
    ratio = tree.left
    assert ratio.op == "/"
    assert ratio.left == fx.Aggregate("sum", (("likes", 1.0), ("comments", 1.0), ("shares", -2.0)))


def test_references_and_settings_are_refs():
    tree = fx.parse("engagements / (sum(spend) + sum(hours) * hourly_rate)")
    assert fx.refs(tree) == {"engagements", "hourly_rate"}


@pytest.mark.parametrize(
    "text, why",
    [
        ("", "empty"),
        ("sum(likes", "ends early"),
        ("sum(likes * comments)", "combine with + and - only"),
        ("__import__('os')", "not a function"),
        ("1 + 'x'", "unexpected"),
        ("sum(likes) $ 2", "unexpected `$`"),
        ("max(likes)", "not a function"),
        ("sum(likes / 0)", "divides by zero"),
        ("sum(sum)", "not a metric name"),
    ],
)
def test_bad_formulas_explain_themselves(text, why):
    with pytest.raises(InvalidFormula) as err:
        fx.parse(text)
    assert why in str(err.value)
    assert "e.g. `sum(clicks) / sum(impressions)`" in str(err.value)


def test_additivity():
    assert fx.is_additive(fx.parse("sum(a) + sum(b) - 3"))
    assert not fx.is_additive(fx.parse("sum(a) / sum(b)"))
    assert not fx.is_additive(fx.parse("last(followers)"))

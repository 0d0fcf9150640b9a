"""The formula language of KPIs, parsed by hand (never ``eval``) into a small tree.

    formula   := expr
    expr      := term (("+" | "-") term)*
    term      := factor (("*" | "/") factor)*
    factor    := number | "(" expr ")" | "-" factor | agg "(" metrics ")" | name
    agg       := "sum" | "last" | "mean"
    metrics   := a sum of metric names, each optionally multiplied or divided by a number

A bare ``name`` refers to another KPI (``engagements / sum(impressions)``) or to the team setting
``hourly_rate``. Inside an aggregate, metrics combine linearly, so ``sum(likes + comments)`` is the sum
of the two period sums and a metric with no data on a day adds 0.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import InvalidFormula

AGGREGATES = ("sum", "last", "mean")
SETTINGS = ("hourly_rate",)
NAME = re.compile(r"[a-z_][a-z0-9_]*")
_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d+)?|\.\d+)|([A-Za-z_][A-Za-z0-9_]*)|(.))")


@dataclass(frozen=True)
class Num:
    value: float


@dataclass(frozen=True)
class Aggregate:
    fn: str
    terms: tuple[tuple[str, float], ...]

    @property
    def metrics(self) -> tuple[str, ...]:
        return tuple(m for m, _ in self.terms)


@dataclass(frozen=True)
class Ref:
    name: str


@dataclass(frozen=True)
class Neg:
    operand: Node


@dataclass(frozen=True)
class BinOp:
    op: str
    left: Node
    right: Node


Node = Num | Aggregate | Ref | Neg | BinOp


def _tokens(text: str) -> list[str]:
    out = []
    pos = 0
    text = text.replace("−", "-").replace("×", "*").replace("÷", "/")
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            break
        pos = match.end()
        token = match.group(0).strip()
        if token:
            out.append(token)
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.pos = 0

    def fail(self, why: str) -> InvalidFormula:
        return InvalidFormula(
            f"I can't read the formula `{self.text}`: {why}. A formula combines sum(metric), last(metric) "
            f"and mean(metric) with + - * / and parentheses, e.g. `sum(clicks) / sum(impressions)`."
        )

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None:
            raise self.fail(f"it ends early{f', {expected!r} expected' if expected else ''}")
        if expected is not None and token != expected:
            raise self.fail(f"`{expected}` expected where I see `{token}`")
        self.pos += 1
        return token

    def parse(self) -> Node:
        if not self.tokens:
            raise self.fail("it is empty")
        node = self.expr()
        if self.peek() is not None:
            raise self.fail(f"unexpected `{self.peek()}`")
        return node

    def expr(self) -> Node:
        node = self.term()
        while self.peek() in ("+", "-"):
            op = self.take()
            node = BinOp(op, node, self.term())
        return node

    def term(self) -> Node:
        node = self.factor()
        while self.peek() in ("*", "/"):
            op = self.take()
            node = BinOp(op, node, self.factor())
        return node

    def factor(self) -> Node:
        token = self.take()
        if token == "(":
            node = self.expr()
            self.take(")")
            return node
        if token == "-":
            return Neg(self.factor())
        if _is_number(token):
            return Num(float(token))
        if NAME.fullmatch(token.lower()):
            name = token.lower()
            if name in AGGREGATES:
                self.take("(")
                terms = self.linear()
                self.take(")")
                return Aggregate(name, terms)
            if self.peek() == "(":
                raise self.fail(f"`{name}` is not a function; use sum, last or mean")
            return Ref(name)
        raise self.fail(f"unexpected `{token}`")

    def linear(self) -> tuple[tuple[str, float], ...]:
        """Metric names combined by + and -, each optionally scaled by a number."""
        terms: dict[str, float] = {}
        sign = 1.0
        if self.peek() == "-":
            self.take()
            sign = -1.0
        while True:
            coef = sign
            token = self.take()
            if _is_number(token):
                self.take("*")
                coef *= float(token)
                token = self.take()
            name = token.lower()
            if not NAME.fullmatch(name) or name in AGGREGATES:
                raise self.fail(f"`{token}` is not a metric name")
            while self.peek() in ("*", "/"):
                op = self.take()
                number = self.take()
                if not _is_number(number):
                    raise self.fail(f"inside {name}'s aggregate, metrics combine with + and - only")
                if op == "/" and float(number) == 0:
                    raise self.fail("it divides by zero")
                coef = coef * float(number) if op == "*" else coef / float(number)
            terms[name] = terms.get(name, 0.0) + coef
            if self.peek() in ("+", "-"):
                sign = 1.0 if self.take() == "+" else -1.0
                continue
            return tuple(terms.items())


def _is_number(token: str) -> bool:
    return bool(re.fullmatch(r"\d+(?:\.\d+)?|\.\d+", token))


def parse(text: str) -> Node:
    return _Parser(text).parse()


def refs(node: Node) -> set[str]:
    if isinstance(node, Ref):
        return {node.name}
    if isinstance(node, Neg):
        return refs(node.operand)
    if isinstance(node, BinOp):
        return refs(node.left) | refs(node.right)
    return set()


def aggregates(node: Node) -> list[Aggregate]:
    if isinstance(node, Aggregate):
        return [node]
    if isinstance(node, Neg):
        return aggregates(node.operand)
    if isinstance(node, BinOp):
        return aggregates(node.left) + aggregates(node.right)
    return []


def substitute(node: Node, values: dict[str, Node]) -> Node:
    """Replace references by the trees they name (KPIs expand into their formulas)."""
    if isinstance(node, Ref) and node.name in values:
        return values[node.name]
    if isinstance(node, Neg):
        return Neg(substitute(node.operand, values))
    if isinstance(node, BinOp):
        return BinOp(node.op, substitute(node.left, values), substitute(node.right, values))
    return node


def is_additive(node: Node) -> bool:
    """A formula made of sums only: its value over a period is the sum of its daily values."""
    if isinstance(node, Aggregate):
        return node.fn == "sum"
    if isinstance(node, Num):
        return True
    if isinstance(node, Neg):
        return is_additive(node.operand)
    if isinstance(node, BinOp) and node.op in "+-":
        return is_additive(node.left) and is_additive(node.right)
    return False

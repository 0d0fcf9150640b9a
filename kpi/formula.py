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
from .limits import MAX_FORMULA_DEPTH, MAX_FORMULA_NODES, MAX_VALUE

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
        self.depth = 0

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
        if token in ("(", "-"):
            self.depth += 1
            if self.depth > MAX_FORMULA_DEPTH:
                raise self.fail(f"it nests parentheses and signs more than {MAX_FORMULA_DEPTH} deep")
            node = Neg(self.factor()) if token == "-" else self.expr()
            if token == "(":
                self.take(")")
            self.depth -= 1
            return node
        if _is_number(token):
            return Num(self.number(token))
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
                coef *= self.number(token)
                token = self.take()
            name = token.lower()
            if not NAME.fullmatch(name) or name in AGGREGATES:
                raise self.fail(f"`{token}` is not a metric name")
            while self.peek() in ("*", "/"):
                op = self.take()
                number = self.take()
                if not _is_number(number):
                    raise self.fail(f"inside {name}'s aggregate, metrics combine with + and - only")
                if op == "/" and self.number(number) == 0:
                    raise self.fail("it divides by zero")
                coef = coef * self.number(number) if op == "*" else coef / self.number(number)
                if not abs(coef) <= MAX_VALUE:
                    raise self.fail("a coefficient is larger than 10^15")
            terms[name] = terms.get(name, 0.0) + coef
            if self.peek() in ("+", "-"):
                sign = 1.0 if self.take() == "+" else -1.0
                continue
            return tuple(terms.items())

    def number(self, token: str) -> float:
        value = float(token)
        if not value <= MAX_VALUE:
            raise self.fail(f"`{token[:40]}` is larger than 10^15")
        return value


def _is_number(token: str) -> bool:
    return bool(re.fullmatch(r"\d+(?:\.\d+)?|\.\d+", token))


def parse(text: str) -> Node:
    if len(text) > 4 * MAX_FORMULA_NODES:
        raise InvalidFormula(
            f"The formula is {len(text):,} characters long; formulas can be up to {4 * MAX_FORMULA_NODES:,}."
        )
    return _Parser(text).parse()


def expanded_size(node: Node) -> tuple[int, int]:
    """(nodes, depth) of the tree with every shared subtree counted each time it is used: what
    evaluating it naively would cost. Counted once per distinct subtree, so it is cheap even when
    the expanded tree is astronomically large (KPIs referring to KPIs many times over)."""
    memo: dict[int, tuple[int, int]] = {}

    def walk(n: Node) -> tuple[int, int]:
        key = id(n)
        if key in memo:
            return memo[key]
        if isinstance(n, Neg):
            size, depth = walk(n.operand)
            result = (size + 1, depth + 1)
        elif isinstance(n, BinOp):
            (ls, ld), (rs, rd) = walk(n.left), walk(n.right)
            result = (ls + rs + 1, max(ld, rd) + 1)
        else:
            result = (1, 1)
        memo[key] = result
        return result

    return walk(node)


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

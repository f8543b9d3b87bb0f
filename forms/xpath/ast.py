"""The syntax tree of an XPath expression, and `unparse` to print one back as text.

Nodes are frozen dataclasses, so two parses of the same text compare equal.
Chains of a left-associative operator (`a + b + c`) nest on the left; code that
walks the tree follows such a chain with a loop (`left_chain`), never recursion, so
a sum of a thousand fields is fine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from forms.xpath.values import format_number

AXES = (
    "child",
    "parent",
    "self",
    "attribute",
    "descendant",
    "descendant-or-self",
    "ancestor",
    "ancestor-or-self",
)
NODE_TEST = "node()"
"""The name test matching any node (what `.`, `..` and `//` stand for)."""

PRECEDENCE: dict[str, int] = {
    "or": 1,
    "and": 2,
    "=": 3,
    "!=": 3,
    "<": 4,
    "<=": 4,
    ">": 4,
    ">=": 4,
    "+": 5,
    "-": 5,
    "*": 6,
    "div": 6,
    "mod": 6,
    "|": 8,
}
UNARY_PRECEDENCE = 7
PRIMARY_PRECEDENCE = 9


@dataclass(frozen=True, slots=True)
class Number:
    value: float


@dataclass(frozen=True, slots=True)
class String:
    value: str


@dataclass(frozen=True, slots=True)
class Step:
    """`axis::test[pred]...`; `test` is a name, `prefix:name`, `*`, `prefix:*` or `node()`."""

    axis: str
    test: str
    predicates: tuple[Expr, ...] = ()


@dataclass(frozen=True, slots=True)
class Path:
    """A location path: `/a/b`, `a/b[1]`, `..`, `//x`; `/` alone has no steps."""

    absolute: bool
    steps: tuple[Step, ...]


@dataclass(frozen=True, slots=True)
class Filter:
    """A primary expression with predicates and/or following steps: `instance('x')/root/item`."""

    primary: Expr
    predicates: tuple[Expr, ...] = ()
    steps: tuple[Step, ...] = ()


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    args: tuple[Expr, ...] = ()


@dataclass(frozen=True, slots=True)
class Negate:
    operand: Expr


@dataclass(frozen=True, slots=True)
class Binary:
    op: str
    left: Expr
    right: Expr


Expr: TypeAlias = Number | String | Path | Filter | Call | Negate | Binary


def precedence(expr: Expr) -> int:
    if isinstance(expr, Binary):
        return PRECEDENCE[expr.op]
    if isinstance(expr, Negate):
        return UNARY_PRECEDENCE
    return PRIMARY_PRECEDENCE


def left_chain(expr: Binary) -> tuple[Expr, list[tuple[str, Expr]]]:
    """`((a + b) - c)` as `(a, [('+', b), ('-', c)])`: the left spine of one precedence level."""
    level = PRECEDENCE[expr.op]
    rest: list[tuple[str, Expr]] = []
    node: Expr = expr
    while isinstance(node, Binary) and PRECEDENCE[node.op] == level:
        rest.append((node.op, node.right))
        node = node.left
    rest.reverse()
    return node, rest


def unparse(expr: Expr) -> str:
    """XPath text that parses back to `expr` (parentheses only where precedence needs them)."""
    if isinstance(expr, Binary):
        first, rest = left_chain(expr)
        level = PRECEDENCE[expr.op]
        parts = [_operand(first, level)]
        for op, right in rest:
            parts.append(op)
            parts.append(_operand(right, level + 1))
        return " ".join(parts)
    if isinstance(expr, Negate):
        count = 0
        node: Expr = expr
        while isinstance(node, Negate):
            count += 1
            node = node.operand
        return "-" * count + _operand(node, UNARY_PRECEDENCE + 1)
    if isinstance(expr, Number):
        return format_number(expr.value)
    if isinstance(expr, String):
        return _literal(expr.value)
    if isinstance(expr, Call):
        return f"{expr.name}({', '.join(unparse(a) for a in expr.args)})"
    if isinstance(expr, Path):
        if not expr.steps:
            return "/" if expr.absolute else "."
        text = _steps(expr.steps, expr.absolute)
        return "/" + text if expr.absolute else text
    primary = expr.primary
    text = unparse(primary)
    if not isinstance(primary, Number | String | Call):
        text = f"({text})"
    text += "".join(f"[{unparse(p)}]" for p in expr.predicates)
    if expr.steps:
        text += "/" + _steps(expr.steps)
    return text


def _operand(expr: Expr, needed: int) -> str:
    text = unparse(expr)
    if precedence(expr) < needed or (isinstance(expr, Path) and expr.absolute and not expr.steps):
        return f"({text})"
    return text


def _literal(value: str) -> str:
    if "'" not in value:
        return f"'{value}'"
    if '"' not in value:
        return f'"{value}"'
    # XPath 1.0 literals cannot hold both quotes: join pieces (prints, but is a call).
    pieces = value.split("'")
    joined = ', "\'", '.join(f"'{p}'" for p in pieces)
    return f"concat({joined})"


def _steps(steps: tuple[Step, ...], after_slash: bool = True) -> str:
    """Steps joined by `/`; `descendant-or-self::node()` between two steps prints as `//`."""
    parts: list[str] = []
    last = len(steps) - 1
    short = False
    for i, step in enumerate(steps):
        may_shorten = i < last and not short and (after_slash or i > 0)
        text = _step(step, may_shorten)
        short = text == ""
        parts.append(text)
    return "/".join(parts)


def _step(step: Step, abbreviate_descendant: bool) -> str:
    preds = "".join(f"[{unparse(p)}]" for p in step.predicates)
    if not step.predicates and step.test == NODE_TEST:
        if step.axis == "self":
            return "."
        if step.axis == "parent":
            return ".."
        if step.axis == "descendant-or-self" and abbreviate_descendant:
            return ""
    if step.axis == "child":
        return step.test + preds
    if step.axis == "attribute":
        return "@" + step.test + preds
    return f"{step.axis}::{step.test}{preds}"

"""The XPath operators on values: comparison, arithmetic, node-set order.

Comparisons follow JavaRosa (ODK Collect): a node is compared by its typed value
(its bind's type), an empty node-set counts as the empty string, and a node-set
of several nodes compares existentially as in XPath 1.0 (true if any node does).
Equality: booleans if either side is a boolean, else numbers (within 1e-12) if
either side is a number, else strings. Relational operators compare numbers, so
anything with NaN (an empty answer) is false, and `!=` with NaN is true.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable

from forms.xpath.tree import Node
from forms.xpath.values import Value, node_value, to_boolean, to_number, to_string

Scalar = bool | float | str | dt.date
_EPSILON = 1.0e-12


def scalars(value: Value) -> list[Scalar]:
    """The values a comparison tries: each node's typed value; '' for an empty node-set."""
    if isinstance(value, list):
        if not value:
            return [""]
        return [node_value(n) for n in value]
    return [value]


def scalar_equal(a: Scalar, b: Scalar) -> bool:
    if type(a) is str and type(b) is str:
        return a == b
    if isinstance(a, bool) or isinstance(b, bool):
        return to_boolean(a) == to_boolean(b)
    if isinstance(a, float | int) or isinstance(b, float | int):
        x = to_number(a)
        y = to_number(b)
        return x == y or abs(x - y) < _EPSILON
    return to_string(a) == to_string(b)


def equal(a: Value, b: Value) -> bool:
    if type(a) is list and len(a) == 1:
        a = node_value(a[0])
    if type(b) is list and len(b) == 1:
        b = node_value(b[0])
    if type(a) is not list and type(b) is not list:
        return scalar_equal(a, b)  # type: ignore[arg-type]
    right = scalars(b)
    return any(scalar_equal(x, y) for x in scalars(a) for y in right)


def not_equal(a: Value, b: Value) -> bool:
    """The negation per pair (JavaRosa's `!=`), existential over node-sets."""
    if type(a) is list and len(a) == 1:
        a = node_value(a[0])
    if type(b) is list and len(b) == 1:
        b = node_value(b[0])
    if type(a) is not list and type(b) is not list:
        return not scalar_equal(a, b)  # type: ignore[arg-type]
    right = scalars(b)
    return any(not scalar_equal(x, y) for x in scalars(a) for y in right)


def number(value: Value) -> float:
    """`to_number` with a shortcut for what is already a float (the common case)."""
    return value if type(value) is float else to_number(value)


def _numbers(value: Value) -> list[float]:
    if type(value) is list and len(value) > 1:
        return [to_number(node_value(n)) for n in value]
    return [to_number(value)]


def relational(test: Callable[[float, float], bool]) -> Callable[[Value, Value], bool]:
    def compare(a: Value, b: Value) -> bool:
        if (type(a) is not list or len(a) < 2) and (type(b) is not list or len(b) < 2):
            return test(number(a), number(b))
        right = _numbers(b)
        return any(test(x, y) for x in _numbers(a) for y in right)

    return compare


COMPARISONS: dict[str, Callable[[Value, Value], bool]] = {
    "=": equal,
    "!=": not_equal,
    "<": relational(lambda x, y: x < y),
    "<=": relational(lambda x, y: x <= y),
    ">": relational(lambda x, y: x > y),
    ">=": relational(lambda x, y: x >= y),
}


def divide(x: float, y: float) -> float:
    if y == 0.0:
        if x == 0.0 or math.isnan(x):
            return math.nan
        return math.copysign(math.inf, x) * math.copysign(1.0, y)
    return x / y


def modulo(x: float, y: float) -> float:
    """Truncated remainder with the dividend's sign (`5 mod -3` = 2, `-5 mod 3` = -2)."""
    if y == 0.0 or math.isinf(x) or math.isnan(x) or math.isnan(y):
        return math.nan
    return math.fmod(x, y)


ARITHMETIC: dict[str, Callable[[float, float], float]] = {
    "+": lambda x, y: x + y,
    "-": lambda x, y: x - y,
    "*": lambda x, y: x * y,
    "div": divide,
    "mod": modulo,
}


def order_key(node: Node) -> tuple[int, ...]:
    """Position of a node in its document: child indexes from the top; attributes after their element."""
    tail: list[int] = []
    if node.is_attribute and node.parent is not None:
        tail = [-1, list(node.parent.attrs).index(node.name)]
        node = node.parent
    parts: list[int] = []
    while node.parent is not None:
        parts.append(node.parent.children.index(node))
        node = node.parent
    parts.reverse()
    return tuple(parts + tail)


def document_order(nodes: list[Node]) -> list[Node]:
    """Drop duplicates (an attribute is identified by its element and name) and sort."""
    seen: set[object] = set()
    unique: list[Node] = []
    for n in nodes:
        key: object = (id(n.parent), n.name) if n.is_attribute else id(n)
        if key not in seen:
            seen.add(key)
            unique.append(n)
    if len(unique) > 1:
        unique.sort(key=order_key)
    return unique

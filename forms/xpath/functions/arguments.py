"""Argument checks and conversions shared by the function modules.

Every problem with an argument value becomes a `FormError` with code
`xpath.bad_argument` naming the function, never a bare Python exception.
JavaRosa's integer conversions (`(int) double`, `toInt`) are reproduced here
because several functions (`substr`, `round`, `selected-at`, `randomize`)
depend on their exact truncation and saturation rules.
"""

from __future__ import annotations

import math

from forms.errors import FormError
from forms.xpath.tree import Node
from forms.xpath.values import Value, node_value, to_string

INT_MIN = -(2**31)
INT_MAX = 2**31 - 1
LONG_MIN = -(2**63)
LONG_MAX = 2**63 - 1


def bad_argument(name: str, value: object, detail: str) -> FormError:
    shown = to_string(value) if isinstance(value, list) else value
    return FormError.of("xpath.bad_argument", name=name, value=shown, detail=detail)


def nodeset(name: str, value: Value) -> list[Node]:
    """The argument as a node-set; anything else is an error naming the function."""
    if not isinstance(value, list):
        raise bad_argument(name, value, "a node-set (a field or path) is needed here")
    return value


def java_int(number: float) -> int:
    """Java's `(int) d`: truncation toward zero, NaN to 0, saturated at the int range."""
    if math.isnan(number):
        return 0
    if number >= INT_MAX:
        return INT_MAX
    if number <= INT_MIN:
        return INT_MIN
    return int(number)


def java_long(number: float) -> int:
    """Java's `(long) d`: truncation toward zero, NaN to 0, saturated at the long range."""
    if math.isnan(number):
        return 0
    if number >= LONG_MAX:
        return LONG_MAX
    if number <= LONG_MIN:
        return LONG_MIN
    return int(number)


def truncate(number: float) -> float:
    """JavaRosa `toInt`: drop the fraction, keep NaN and infinities (and -0 for small negatives)."""
    if math.isnan(number) or math.isinf(number) or abs(number) >= 2**63:
        return number
    whole = float(math.trunc(number))
    return math.copysign(whole, number) if whole == 0 else whole


def expand(args: list[Value]) -> list[Value]:
    """Arguments with every node-set replaced by the typed values of all its nodes."""
    values: list[Value] = []
    for arg in args:
        if isinstance(arg, list):
            values.extend(node_value(node) for node in arg)
        else:
            values.append(arg)
    return values

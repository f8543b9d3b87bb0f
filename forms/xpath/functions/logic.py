"""Boolean functions and the conditionals: `if`, `coalesce`, `once`, `checklist`...

Arguments arrive evaluated, so `if` and `coalesce` pick among values here; an
evaluator that wants JavaRosa's short-circuit (only the chosen branch runs) can
special-case them before evaluating the arguments, with the same result.
"""

from __future__ import annotations

import math

from forms.errors import FormError
from forms.xpath.context import Context
from forms.xpath.functions.arguments import expand, java_int
from forms.xpath.functions.registry import function
from forms.xpath.values import Value, node_value, to_boolean, to_number, to_string, unpack


def _is_empty(value: Value) -> bool:
    """JavaRosa's `isNull`: an empty string or NaN (a node-set by its first node)."""
    value = unpack(value)
    if isinstance(value, str):
        return value == ""
    return isinstance(value, float) and math.isnan(value)


@function("true", 0)
def true(ctx: Context, args: list[Value]) -> Value:
    return True


@function("false", 0)
def false(ctx: Context, args: list[Value]) -> Value:
    return False


@function("boolean", 1)
def boolean(ctx: Context, args: list[Value]) -> Value:
    return to_boolean(args[0])


@function("not", 1)
def not_(ctx: Context, args: list[Value]) -> Value:
    return not to_boolean(args[0])


@function("boolean-from-string", 1)
def boolean_from_string(ctx: Context, args: list[Value]) -> Value:
    """True only for `true` (any case, as JavaRosa's equalsIgnoreCase) and `1`."""
    text = to_string(args[0])
    return text.lower() == "true" or text == "1"


@function("if", 3)
def if_(ctx: Context, args: list[Value]) -> Value:
    return args[1] if to_boolean(args[0]) else args[2]


@function("coalesce", 2)
def coalesce(ctx: Context, args: list[Value]) -> Value:
    return args[1] if _is_empty(args[0]) else args[0]


@function("once", 1)
def once(ctx: Context, args: list[Value]) -> Value:
    """The context node's own value when it has one, else the argument (`once(random())`)."""
    current = node_value(ctx.node)
    return args[0] if _is_empty(current) else current


def _flag(value: Value) -> bool:
    return to_boolean(unpack(value))


@function("checklist", 2, None)
def checklist(ctx: Context, args: list[Value]) -> Value:
    """Whether the number of true values is within [min, max]; -1 means no bound.

    Node-set arguments count every node; a node counts when its (typed) value is true
    (a non-empty string, a non-zero number).
    """
    low = java_int(to_number(args[0]))
    high = java_int(to_number(args[1]))
    count = sum(1 for value in expand(args[2:]) if _flag(value))
    return (low < 0 or count >= low) and (high < 0 or count <= high)


@function("weighted-checklist", 2, None)
def weighted_checklist(ctx: Context, args: list[Value]) -> Value:
    """Whether the summed weights of the true values are within [min, max].

    Arguments after min and max come in (value, weight) pairs; two node-sets of the same
    length pair up node by node (JavaRosa's form `weighted-checklist(min, max, /v, /w)`).
    """
    if len(args) % 2:
        raise FormError.of(
            "xpath.arg_count",
            name="weighted-checklist",
            expected="an even number of",
            given=len(args),
        )
    low, high = to_number(args[0]), to_number(args[1])
    rest = args[2:]
    if len(rest) == 2 and isinstance(rest[0], list) and isinstance(rest[1], list):
        flags = expand([rest[0]])
        weights = expand([rest[1]])
        if len(flags) != len(weights):
            raise FormError.of(
                "xpath.bad_argument",
                name="weighted-checklist",
                value=f"{len(flags)} values and {len(weights)} weights",
                detail="the two node-sets must have the same number of nodes",
            )
    else:
        flags, weights = rest[0::2], rest[1::2]
    total = sum(to_number(w) for f, w in zip(flags, weights, strict=True) if _flag(f))
    return low <= total <= high

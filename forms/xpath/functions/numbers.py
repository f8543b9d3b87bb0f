"""Number functions: conversions, rounding, the XPath 3.0 math functions, aggregates.

Math follows Java's `Math` (what JavaRosa calls): overflow gives +/-Infinity and a
domain error gives NaN (`log(0)` is -Infinity, `sqrt(-1)` NaN), never a Python
exception. Dates are fractional days since 1970-01-01 here (JavaRosa's `toDouble`).
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from collections.abc import Callable

from forms.xpath.context import Context
from forms.xpath.functions.arguments import expand, java_int, nodeset, truncate
from forms.xpath.functions.registry import function
from forms.xpath.values import Value, date_to_days, node_value, to_number, unpack

_ROUNDING = decimal.Context(prec=400, Emax=999_999, Emin=-999_999)


def _double(value: Value) -> float:
    """JavaRosa `toDouble`: a date-time keeps its time of day as a fraction."""
    value = unpack(value)
    if isinstance(value, dt.date):
        return date_to_days(value)
    return to_number(value)


def _is_odd_integer(number: float) -> bool:
    return math.isfinite(number) and number == math.floor(number) and int(number) % 2 == 1


def java_pow(base: float, exponent: float) -> float:
    """`Math.pow`: Infinity on overflow, NaN outside the domain, never an exception."""
    try:
        return math.pow(base, exponent)
    except OverflowError:
        negative = base < 0 and _is_odd_integer(exponent)
        return -math.inf if negative else math.inf
    except ValueError:
        if base == 0 and exponent < 0:
            negative = math.copysign(1.0, base) < 0 and _is_odd_integer(exponent)
            return -math.inf if negative else math.inf
        return math.nan


def _unary(fn: Callable[[float], float]) -> Callable[[Context, list[Value]], Value]:
    def impl(ctx: Context, args: list[Value]) -> Value:
        x = _double(args[0])
        try:
            return fn(x)
        except OverflowError:
            return math.inf
        except ValueError:
            return -math.inf if x == 0 and fn in (math.log, math.log10) else math.nan

    return impl


for _name, _fn in {
    "abs": math.fabs,
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "asin": math.asin,
    "acos": math.acos,
    "atan": math.atan,
    "sqrt": math.sqrt,
    "exp": math.exp,
    "log": math.log,
    "log10": math.log10,
}.items():
    function(_name, 1)(_unary(_fn))


@function("atan2", 2)
def atan2(ctx: Context, args: list[Value]) -> Value:
    return math.atan2(_double(args[0]), _double(args[1]))


@function("pow", 2)
def pow_(ctx: Context, args: list[Value]) -> Value:
    return java_pow(_double(args[0]), _double(args[1]))


@function("exp10", 1)
def exp10(ctx: Context, args: list[Value]) -> Value:
    return java_pow(10.0, _double(args[0]))


@function("pi", 0)
def pi(ctx: Context, args: list[Value]) -> Value:
    return math.pi


@function("number", 0, 1)
def number(ctx: Context, args: list[Value]) -> Value:
    return to_number(args[0]) if args else to_number([ctx.node])


@function("int", 1)
def int_(ctx: Context, args: list[Value]) -> Value:
    """Truncation toward zero (`int(-3.7)` is -3); NaN and infinities stay as they are."""
    return truncate(to_number(args[0]))


@function("floor", 1)
def floor(ctx: Context, args: list[Value]) -> Value:
    x = to_number(args[0])
    return float(math.floor(x)) if math.isfinite(x) else x


@function("ceiling", 1)
def ceiling(ctx: Context, args: list[Value]) -> Value:
    x = to_number(args[0])
    return float(math.ceil(x)) if math.isfinite(x) else x


@function("round", 1, 2)
def round_(ctx: Context, args: list[Value]) -> Value:
    """JavaRosa's decimal rounding of the number's shortest decimal form.

    Ties go up for positive numbers and toward zero for negative ones (`round(2.5)` is 3,
    `round(-2.5)` is -2, as XPath 1.0 says). `round(x, n)` keeps n decimals; a negative n
    rounds to tens, hundreds... (JavaRosa mis-rounds negative numbers there; we do not).
    More than 30 places either way gives NaN, as in JavaRosa.
    """
    x = to_number(args[0])
    places = java_int(to_number(args[1])) if len(args) == 2 else 0
    if not math.isfinite(x):
        return x
    if abs(places) > 30:
        return math.nan
    if places >= 0 and x == math.floor(x):
        return x
    mode = decimal.ROUND_HALF_UP if x >= 0 else decimal.ROUND_HALF_DOWN
    exact = decimal.Decimal(repr(x))
    rounded = exact.quantize(decimal.Decimal(1).scaleb(-places), rounding=mode, context=_ROUNDING)
    return float(rounded)


@function("random", 0)
def random(ctx: Context, args: list[Value]) -> Value:
    return ctx.env.rng.random()


@function("sum", 1)
def sum_(ctx: Context, args: list[Value]) -> Value:
    """Sum of the nodes' values; NaN values (empty answers) are skipped, as in JavaRosa."""
    total = 0.0
    for node in nodeset("sum", args[0]):
        value = to_number(node_value(node))
        if not math.isnan(value):
            total += value
    return total


def _numbers(args: list[Value]) -> list[float]:
    values = (to_number(v) for v in expand(args))
    return [v for v in values if not math.isnan(v)]


@function("max", 1, None)
def max_(ctx: Context, args: list[Value]) -> Value:
    """Largest of all values (node-sets contribute every node); NaN ones are skipped.

    NaN only when no value is a number, as in JavaRosa.
    """
    values = _numbers(args)
    return max(values) if values else math.nan


@function("min", 1, None)
def min_(ctx: Context, args: list[Value]) -> Value:
    values = _numbers(args)
    return min(values) if values else math.nan

"""The ranges a constraint implies for its answer, evaluated in the interview.

`. >= 15 and . <= ${hh_size}`, `. <= today()`, `string-length(.) = 10` and
`. = -999 or (. > 0 and . < 500)` name the ranges an answer must fall in, though
their bounds may be other answers or dates only known during the interview. The
test-drive evaluates the bounds where the question is asked and answers inside them;
when the ranges are empty it can say why (`needs > 10 and < 5`, or a bound that reads
an empty answer).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from forms.definition import Expression
from forms.errors import FormError
from forms.session import FormSession
from forms.session_graph import resolve_read
from forms.session_paths import pattern_of
from forms.testdrive_lint import name_of
from forms.xpath import ast, compile_tree, references
from forms.xpath.values import date_to_days, days_to_date, format_number, to_date, to_number

FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "="}
SELF_WRAPPERS = ("number", "int", "date", "decimal-date-time")
SPAN = 100.0
"""How far past a one-sided bound answers are drawn (`. > 5` gets 6-105)."""


@dataclass(frozen=True)
class Interval:
    low: float = -math.inf
    high: float = math.inf
    low_open: bool = False
    high_open: bool = False

    def meet(self, other: Interval) -> Interval:
        low, low_open = max((self.low, self.low_open), (other.low, other.low_open))
        high, high_open = min((self.high, not self.high_open), (other.high, not other.high_open))
        return Interval(low, high, low_open, not high_open)

    def empty(self, integer: bool) -> bool:
        low, high = self.edges(integer)
        return low > high

    def edges(self, integer: bool) -> tuple[float, float]:
        step = 1.0 if integer else 1e-3
        low = self.low + (step if self.low_open else 0.0)
        high = self.high - (step if self.high_open else 0.0)
        if integer:
            low = math.ceil(low) if math.isfinite(low) else low
            high = math.floor(high) if math.isfinite(high) else high
        return low, high

    def describe(self, as_text: str) -> str:
        parts = []
        if self.low > -math.inf:
            parts.append(f"{'>' if self.low_open else '>='} {_shown(self.low, as_text)}")
        if self.high < math.inf:
            parts.append(f"{'<' if self.high_open else '<='} {_shown(self.high, as_text)}")
        return " and ".join(parts)


def _shown(number: float, as_text: str) -> str:
    return days_to_date(number).isoformat() if as_text == "date" else format_number(number)


@dataclass
class Bounds:
    """The alternatives (`or`) a constraint allows, and the answers its bounds read empty."""

    alternatives: list[Interval]
    empty_reads: list[str] = field(default_factory=list)

    def values(self, integer: bool, rng: random.Random) -> list[float]:
        """A random value inside each non-empty alternative, then each one's edges."""
        inside, edges = [], []
        for interval in self.alternatives:
            if interval.empty(integer):
                continue
            low, high = interval.edges(integer)
            start = low if low > -math.inf else (high - SPAN if high < math.inf else 0.0)
            end = high if high < math.inf else start + SPAN
            drawn = rng.uniform(start, end)
            inside.append(float(round(drawn)) if integer and end - start >= 1 else drawn)
            edges += [e for e in (low, high) if math.isfinite(e)]
        return list(dict.fromkeys(v for v in inside + edges if not (integer and v != int(v))))

    def why(self, kind: str) -> str:
        """Why no value fits, when the ranges themselves say so; else ''."""
        if self.empty_reads:
            return "a bound reads " + ", ".join(self.empty_reads) + ", which is empty"
        empties = [i.describe(kind) for i in self.alternatives if i.empty(kind != "decimal")]
        if empties and len(empties) == len(self.alternatives):
            return "no value is " + " or ".join(empties)
        return ""


def bounds_of(session: FormSession, ref: str, constraint: Expression, kind: str) -> Bounds | None:
    """The constraint's ranges for the answer at `ref` (`kind`: int, decimal, date, or
    length for `string-length(.)`), or None when it names none."""
    bounds = Bounds([])
    found = _walk(session, ref, constraint.ast, kind, bounds)
    if found is None and not bounds.empty_reads:
        return None
    bounds.alternatives = found or []
    return bounds


def _walk(
    session: FormSession, ref: str, expr: ast.Expr, kind: str, bounds: Bounds
) -> list[Interval] | None:
    if isinstance(expr, ast.Binary) and expr.op in ("and", "or"):
        left = _walk(session, ref, expr.left, kind, bounds)
        right = _walk(session, ref, expr.right, kind, bounds)
        if left is None or right is None:
            return right if left is None else left
        if expr.op == "or":
            return left + right
        return [a.meet(b) for a in left for b in right]
    if isinstance(expr, ast.Binary) and expr.op in FLIP:
        if _is_self(ref, expr.left, kind):
            return _compare(session, ref, expr.op, expr.right, kind, bounds)
        if _is_self(ref, expr.right, kind):
            return _compare(session, ref, FLIP[expr.op], expr.left, kind, bounds)
    return None


def _is_self(ref: str, expr: ast.Expr, kind: str) -> bool:
    if isinstance(expr, ast.Call):
        wrapper = ("string-length",) if kind == "length" else SELF_WRAPPERS
        return expr.name in wrapper and len(expr.args) == 1 and _is_self(ref, expr.args[0], "")
    if kind == "length" or not isinstance(expr, ast.Path):
        return False
    return len(references(expr)) == 1 and _reads_self(ref, expr)


def _reads_self(ref: str, expr: ast.Expr) -> bool:
    pattern = pattern_of(ref)
    reads = (resolve_read(r, pattern) for r in references(expr))
    return any(read is not None and read.path == pattern for read in reads)


def _compare(
    session: FormSession, ref: str, op: str, side: ast.Expr, kind: str, bounds: Bounds
) -> list[Interval] | None:
    if _reads_self(ref, side):
        return None
    try:
        value = session.run(compile_tree(side), session.node(ref))
    except FormError:
        return None
    if kind == "date":
        day = to_date(value)
        number = date_to_days(day) if day is not None else math.nan
    else:
        number = to_number(value)
    if math.isnan(number):
        reads = sorted(f"'{name_of(r)}'" for r in references(side) if not r.startswith("instance("))
        bounds.empty_reads += [r for r in reads if r not in bounds.empty_reads]
        return None
    if op == "=":
        return [Interval(number, number)]
    if op in ("<", "<="):
        return [Interval(high=number, high_open=op == "<")]
    return [Interval(low=number, low_open=op == ">")]


KINDS = {"int": "int", "integer": "int", "long": "int", "short": "int", "decimal": "decimal"}
KINDS |= {"double": "decimal", "float": "decimal", "date": "date", "string": "length"}


def kind_of(datatype: str) -> str | None:
    """How a constraint's bounds apply to a question of this type, if they do."""
    return KINDS.get(datatype)


def bounded_answers(
    session: FormSession,
    ref: str,
    constraint: Expression,
    kind: str,
    rng: random.Random,
    small: int,
) -> tuple[list[str], Bounds | None]:
    """Answers inside the constraint's ranges, and the ranges; `small` > 0 keeps a number
    that counts repeat instances (`jr:count`) at most `small` where the ranges allow."""
    bounds = bounds_of(session, ref, constraint, kind)
    if bounds is None:
        return [], None
    integer = kind != "decimal"
    if small:
        few = [i.meet(Interval(0.0, float(small))) for i in bounds.alternatives]
        if any(not i.empty(integer) for i in few):
            bounds = Bounds(few, bounds.empty_reads)
    answers = []
    for number in bounds.values(integer, rng):
        if kind == "date":
            answers.append(days_to_date(number).isoformat())
        elif kind == "length":
            if 0 < number <= 200:
                answers.append("".join(str(rng.randint(0, 9)) for _ in range(int(number))))
        else:
            answers.append(format_number(number) if integer else repr(round(number, 3)))
    return answers, bounds

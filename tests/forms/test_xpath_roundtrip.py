"""Round trips: syntax tree -> text -> the same tree; numbers -> text -> the same number."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forms.xpath import parse, unparse
from forms.xpath.ast import (
    AXES,
    NODE_TEST,
    Binary,
    Call,
    Expr,
    Filter,
    Negate,
    Number,
    Path,
    Step,
    String,
)
from forms.xpath.parser import MAX_DEPTH
from forms.xpath.values import format_number, parse_number

SETTINGS = settings(max_examples=400, deadline=None, derandomize=True)

_start = st.sampled_from("abcxyzABC_é")
_rest = st.text(alphabet="abcxyz019._-é", max_size=6)
ncname = st.builds(lambda a, b: a + b, _start, _rest)
name_test = st.one_of(
    ncname,
    st.builds(lambda p, n: f"{p}:{n}", ncname, ncname),
    st.just("*"),
    st.builds(lambda p: f"{p}:*", ncname),
    st.just(NODE_TEST),
)
numbers = st.floats(min_value=0, allow_nan=False, allow_infinity=False).map(abs)
strings = st.text(max_size=8).filter(lambda s: not ("'" in s and '"' in s))
leaves = st.one_of(
    st.builds(Number, numbers),
    st.builds(String, strings),
    st.builds(lambda n: Path(False, (Step("child", n),)), ncname),
    st.just(Call("current")),
    st.just(Call("true")),
)

_FUNCTIONS = {"concat": (0, 4), "count": (1, 1), "if": (3, 3), "jr:choice-name": (2, 2)}
OPERATORS = ["or", "and", "=", "!=", "<", "<=", ">", ">=", "+", "-", "*", "div", "mod", "|"]


def _call(name: str, args: list[Expr]) -> Expr:
    low, high = _FUNCTIONS[name]
    if len(args) < low:
        return Call("current")
    return Call(name, tuple(args[:high]))


def _extend(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    predicates = st.lists(children, max_size=2).map(tuple)
    steps = st.lists(
        st.builds(Step, st.sampled_from(AXES), name_test, predicates), min_size=1, max_size=3
    ).map(tuple)
    calls = st.builds(_call, st.sampled_from(sorted(_FUNCTIONS)), st.lists(children, max_size=4))
    filters = st.builds(Filter, children, predicates, st.one_of(st.just(()), steps)).filter(
        lambda f: bool(f.predicates or f.steps)
    )
    return st.one_of(
        st.builds(Binary, st.sampled_from(OPERATORS), children, children),
        st.builds(Negate, children),
        st.builds(lambda s: Path(False, s), steps),
        st.builds(lambda s: Path(True, s), st.one_of(st.just(()), steps)),
        st.builds(lambda s: Call("instance", (s,)), st.builds(String, strings)),
        calls,
        filters,
    )


trees = st.recursive(leaves, _extend, max_leaves=12)


def _depth(expr: object) -> int:
    if isinstance(expr, tuple):
        return max((_depth(e) for e in expr), default=0)
    if isinstance(expr, Step):
        return 1 + _depth(expr.predicates)
    if not isinstance(expr, Path | Filter | Call | Negate | Binary):
        return 1
    return 1 + max(_depth(getattr(expr, f)) for f in expr.__slots__)


@pytest.mark.filterwarnings("ignore:Generating overly large repr")
@SETTINGS
@given(trees)
def test_unparse_then_parse_gives_the_same_tree(tree: Expr) -> None:
    if _depth(tree) * 2 > MAX_DEPTH:
        return
    text = unparse(tree)
    assert parse(text) == tree, text
    assert unparse(parse(text)) == text


@SETTINGS
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_numbers_format_without_exponent_and_read_back(number: float) -> None:
    text = format_number(number)
    assert "e" not in text.lower()
    assert parse_number(text) == number
    assert parse(text.lstrip("-")) == Number(abs(number))


def test_special_numbers_format_as_xpath_does() -> None:
    assert format_number(math.nan) == "NaN"
    assert format_number(math.inf) == "Infinity"
    assert format_number(-math.inf) == "-Infinity"
    assert format_number(-0.0) == "0"
    assert format_number(1e21) == "1000000000000000000000"
    assert format_number(1.5e-7) == "0.00000015"

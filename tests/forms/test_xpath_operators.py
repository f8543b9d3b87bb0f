"""XPath operators with ODK Collect's (JavaRosa's) coercions."""

from __future__ import annotations

import math

import pytest

from forms.errors import FormError
from forms.xpath import evaluate
from forms.xpath.tree import Node

INSTANCE = """
<data>
  <empty/>
  <n>5</n>
  <text>abc</text>
  <seventeen>17.0</seventeen>
  <multi><v>1</v><v>2</v><v>3</v></multi>
  <words><w>apple</w><w>pear</w></words>
</data>
"""


def value(expr: str) -> object:
    return evaluate(expr, INSTANCE)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("1 + 2", 3.0),
        ("10 - 4 - 3", 3.0),
        ("2 * 3 + 4", 10.0),
        ("2 * (3 + 4)", 14.0),
        ("7 div 2", 3.5),
        ("-3", -3.0),
        ("- -3", 3.0),
        ("5 mod 3", 2.0),
        ("5 mod -3", 2.0),
        ("-5 mod 3", -2.0),
        ("-5 mod -3", -2.0),
        ("5.5 mod 2", 1.5),
        ("1 div 0", math.inf),
        ("-1 div 0", -math.inf),
        ("1 div -0", -math.inf),
        ("1 div 0 - 1 div 0", math.nan),
        ("0 div 0", math.nan),
        ("5 mod 0", math.nan),
        ("(1 div 0) mod 2", math.nan),
        ("5 mod (1 div 0)", 5.0),
        ("/data/n * 2", 10.0),
        ("/data/n + /data/seventeen", 22.0),
        ("/data/empty + 1", math.nan),
        ("'' + 1", math.nan),
        ("'abc' * 1", math.nan),
        ("' 12 ' + 0", 12.0),
        ("'1e3' + 0", math.nan),
        ("true() + 1", 2.0),
        ("false() * 5", 0.0),
        ("/data/multi/v + 10", 11.0),
        ("/data/missing + 1", math.nan),
        ("-/data/n", -5.0),
        ("-''", math.nan),
    ],
)
def test_arithmetic(expr: str, expected: float) -> None:
    result = value(expr)
    assert isinstance(result, float)
    if math.isnan(expected):
        assert math.isnan(result)
    else:
        assert result == expected


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        # either side boolean: compare as booleans
        ("true() = 1", True),
        ("true() = 'false'", True),
        ("false() = ''", True),
        ("false() = 0", True),
        ("true() = /data/text", True),
        ("false() = /data/empty", True),
        # either side a number: compare numerically
        ("17 = '17.0000000'", True),
        ("17 = ' 17 '", True),
        ("/data/seventeen = 17", True),
        ("0.1 + 0.2 = 0.3", True),
        ("1 = '1x'", False),
        ("'' = 0", False),
        ("/data/empty = 0", False),
        # otherwise strings
        ("/data/seventeen = '17'", False),
        ("/data/seventeen = '17.0'", True),
        ("'a' = 'a'", True),
        ("'a' = 'A'", False),
        ("/data/empty = ''", True),
        ("/data/missing = ''", True),
        # node-sets with several nodes: true if any node matches
        ("/data/multi/v = 2", True),
        ("/data/multi/v = 4", False),
        ("/data/multi/v != 1", True),
        ("/data/words/w = 'pear'", True),
        ("/data/words/w = /data/multi/v", False),
        ("/data/multi/v = /data/multi/v[3]", True),
        # NaN: equal to nothing; != is its negation
        ("0 div 0 = 0 div 0", False),
        ("0 div 0 != 0 div 0", True),
        ("/data/empty != 0", True),
        ("1 div 0 = 1 div 0", True),
        ("1 != 2", True),
        ("'a' != 'a'", False),
    ],
)
def test_equality(expr: str, expected: bool) -> None:
    assert value(expr) is expected


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("1 < 2", True),
        ("2 <= 2", True),
        ("3 > 2", True),
        ("2 >= 3", False),
        ("true() > 0.9999", True),
        ("false() < 0.0001", True),
        ("'10' > '9'", True),
        ("'abc' < 'abd'", False),
        ("'abc' >= 'abc'", False),
        ("/data/n > 4", True),
        ("/data/n <= '5'", True),
        ("/data/empty < 1", False),
        ("/data/empty >= 1", False),
        ("/data/missing > -1", False),
        ("0 div 0 < 1", False),
        ("1 div 0 > 1000000", True),
        ("/data/multi/v > 2", True),
        ("/data/multi/v > 3", False),
        ("/data/multi/v < /data/multi/v", True),
        ("1 < 2 < 3", True),
        ("3 > 2 > 1", False),
    ],
)
def test_relational(expr: str, expected: bool) -> None:
    assert value(expr) is expected


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("1 and 1", True),
        ("1 and 0", False),
        ("0 or ''", False),
        ("'' or 'x'", True),
        ("'false' and true()", True),
        ("/data/empty and true()", True),
        ("/data/missing or false()", False),
        ("0 div 0 or false()", False),
        ("1 = 1 and 2 = 2 and 3 = 3", True),
        ("1 = 2 or 2 = 3 or 3 = 3", True),
    ],
)
def test_boolean_operators(expr: str, expected: bool) -> None:
    assert value(expr) is expected


def test_and_or_short_circuit() -> None:
    assert value("false() and instance('nope')/root") is False
    assert value("true() or instance('nope')/root") is True
    with pytest.raises(FormError) as info:
        value("true() and instance('nope')/root")
    assert info.value.code == "xpath.unknown_instance"


def names(result: object) -> list[str]:
    assert isinstance(result, list)
    nodes: list[Node] = result
    return [n.string_value() for n in nodes]


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("/data/multi/v[3] | /data/multi/v[1]", ["1", "3"]),
        ("/data/multi/v | /data/multi/v", ["1", "2", "3"]),
        ("/data/words/w | /data/n | /data/multi/v[2]", ["5", "2", "apple", "pear"]),
        ("(/data/multi/v | /data/n)[2]", ["1"]),
        ("/data/missing | /data/n", ["5"]),
    ],
)
def test_union_is_in_document_order_without_duplicates(expr: str, expected: list[str]) -> None:
    assert names(value(expr)) == expected


def test_union_of_a_value_is_an_evaluation_error() -> None:
    with pytest.raises(FormError) as info:
        value("/data/n | 3")
    assert info.value.code == "xpath.eval"


def test_literals() -> None:
    assert value('"it\'s"') == "it's"
    assert value(".5") == 0.5
    assert value("5.") == 5.0

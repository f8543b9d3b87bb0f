"""Boolean functions and conditionals through `forms.xpath.evaluate`."""

from __future__ import annotations

import pytest
from xpath_functions_support import run, same

from forms.errors import FormError

XML = """<data>
  <yes>yes</yes><no>no</no><blank/><zero>0</zero><one>1</one><false>false</false>
  <flags><f>1</f><f>0</f><f>yes</f><f/></flags>
  <weights><w>2</w><w>3</w><w>5</w><w>7</w></weights>
  <rand/><filled>0.25</filled>
</data>"""

CASES: list[tuple[str, object]] = [
    ("true()", True),
    ("false()", False),
    ("boolean('false')", True),
    ("boolean('')", False),
    ("boolean(0)", False),
    ("boolean(0 div 0)", False),
    ("boolean(-1)", True),
    ("boolean(/data/yes)", True),
    ("boolean(/data/missing)", False),
    ("not(true())", False),
    ("not('')", True),
    ("not(/data/missing)", True),
    ("boolean-from-string('true')", True),
    ("boolean-from-string('TRUE')", True),
    ("boolean-from-string('1')", True),
    ("boolean-from-string('false')", False),
    ("boolean-from-string('yes')", False),
    ("boolean-from-string('')", False),
    ("boolean-from-string(/data/false)", False),
    ("boolean-from-string(/data/one)", True),
    ("if(true(), 'a', 'b')", "a"),
    ("if(false(), 'a', 'b')", "b"),
    ("if(/data/blank, 'a', 'b')", "a"),
    ("if(/data/blank != '', 'a', 'b')", "b"),
    ("if(1 > 0, 5, 'x') + 1", 6.0),
    ("if(true(), /data/yes, 'b')", "yes"),
    ("coalesce(/data/blank, 'fallback')", "fallback"),
    ("coalesce(/data/missing, /data/yes)", "yes"),
    ("coalesce(/data/yes, 'fallback')", "yes"),
    ("coalesce(/data/zero, 5)", "0"),
    ("coalesce(0 div 0, 7)", 7.0),
    ("coalesce('', '')", ""),
    ("checklist(2, 3, /data/flags/f)", True),
    ("checklist(4, -1, /data/flags/f)", False),
    ("checklist(-1, 2, 'a', '', 'b', 0)", True),
    ("checklist(-1, 1, 'a', '', 'b', 0)", False),
    ("checklist(-1, -1)", True),
    ("checklist(1, -1, /data/yes, /data/no)", True),
    ("weighted-checklist(9, 9, /data/flags/f, /data/weights/w)", False),
    ("weighted-checklist(10, 10, /data/flags/f, /data/weights/w)", True),
    ("weighted-checklist(5, 10, 'a', 2, '', 100, 'b', 3)", True),
    ("weighted-checklist(5, 10, 'a', 2, 'c', 100, 'b', 3)", False),
    ("weighted-checklist(0, 0)", True),
]


@pytest.mark.parametrize(("expr", "expected"), CASES)
def test_logic_function(expr: str, expected: object) -> None:
    result = run(expr, XML)
    assert same(result, expected), f"{expr} gave {result!r}"


def test_once_keeps_the_existing_value() -> None:
    assert run("once(random())", XML, context="/data/filled") == "0.25"


def test_once_uses_the_argument_when_the_node_is_empty() -> None:
    result = run("once(random())", XML, context="/data/rand")
    assert isinstance(result, float) and 0 <= result < 1


def test_once_of_a_typed_node_keeps_its_type() -> None:
    result = run("once(99)", XML, context="/data/filled", types={"/data/filled": "decimal"})
    assert result == 0.25
    empty = run("once(99)", XML, context="/data/rand", types={"/data/rand": "decimal"})
    assert empty == 99.0


def test_checklist_reads_typed_nodes_by_value() -> None:
    # As strings "1", "0", "yes" are all true; as int answers only 1 is ("yes" is NaN).
    assert run("checklist(3, 3, /data/flags/f)", XML) is True
    assert run("checklist(1, 1, /data/flags/f)", XML, types={"/data/flags/f": "int"}) is True


def test_weighted_checklist_needs_pairs() -> None:
    with pytest.raises(FormError) as caught:
        run("weighted-checklist(1, 2, 'a')", XML)
    assert caught.value.code == "xpath.arg_count"


def test_weighted_checklist_node_sets_must_pair_up() -> None:
    with pytest.raises(FormError) as caught:
        run("weighted-checklist(1, 2, /data/flags/f, /data/yes)", XML)
    assert caught.value.code == "xpath.bad_argument"

"""Select, translation, secondary-instance and repeat functions through `forms.xpath.evaluate`."""

from __future__ import annotations

import pytest
from xpath_functions_support import fixed_env, run, same

from forms.errors import FormError
from forms.xpath import Environment
from forms.xpath.tree import Node

XML = """<data>
  <multi>a b  c</multi><one>b</one><blank/><num>2</num>
  <rep><q>x</q><name>Ana</name><inner><v>1</v></inner><inner><v>2</v></inner></rep>
  <rep><q>y</q><name>Bia</name><inner><v>3</v></inner></rep>
  <rep><q>z</q><name/></rep>
  <pos>2</pos>
</data>"""

CITIES = """<root>
  <item><code>1</code><name>Lisbon</name><country>pt</country></item>
  <item><code>2</code><name>Porto</name><country>pt</country></item>
  <item><code>3</code><name>Nairobi</name><country>ke</country></item>
  <item><code>2.0</code><name>Duplicate</name><country>xx</country></item>
</root>"""

CASES: list[tuple[str, object]] = [
    ("selected(/data/multi, 'a')", True),
    ("selected(/data/multi, 'c')", True),
    ("selected(/data/multi, ' b ')", True),
    ("selected(/data/multi, 'd')", False),
    ("selected(/data/multi, 'a b')", True),
    ("selected(/data/one, 'b')", True),
    ("selected(/data/blank, 'a')", False),
    ("selected(/data/missing, 'a')", False),
    ("selected('1 2 3', 2)", True),
    ("is-selected(/data/multi, 'a')", True),
    ("selected-at(/data/multi, 0)", "a"),
    ("selected-at(/data/multi, 2)", "c"),
    ("selected-at(/data/multi, 3)", ""),
    ("selected-at(/data/multi, -1)", ""),
    ("selected-at(/data/multi, 1.7)", "b"),
    ("selected-at(/data/multi, '')", "a"),
    ("selected-at(/data/blank, 0)", ""),
    ("count-selected(/data/multi)", 3.0),
    ("count-selected(/data/one)", 1.0),
    ("count-selected(/data/blank)", 0.0),
    ("count-selected(/data/missing)", 0.0),
    ("indexed-repeat(/data/rep/name, /data/rep, 2)", "Bia"),
    ("indexed-repeat(/data/rep/name, /data/rep, /data/pos)", "Bia"),
    ("indexed-repeat(/data/rep/name, /data/rep, 0)", "Ana"),
    ("indexed-repeat(/data/rep/name, /data/rep, '')", "Ana"),
    ("indexed-repeat(/data/rep/name, /data/rep, 9)", ""),
    ("indexed-repeat(/data/rep/name, /data/rep, 3)", ""),
    ("indexed-repeat(/data/rep/inner/v, /data/rep, 1, /data/rep/inner, 2)", "2"),
    ("indexed-repeat(/data/rep/inner/v, /data/rep, 2, /data/rep/inner, 1)", "3"),
    ("indexed-repeat(/data/rep/inner/v, /data/rep, 2, /data/rep/inner, 2)", ""),
    ("indexed-repeat(/data/rep/inner/v, /data/rep, 3, /data/rep/inner, 1)", ""),
    ("indexed-repeat(/data/rep/name, /data/rep, 2) = 'Bia'", True),
    ("count(indexed-repeat(/data/rep/name, /data/rep, 1))", 1.0),
    ("indexed-repeat(/data/missing, /data/rep, 1)", ""),
    ("pulldata('cities', 'name', 'code', '2')", "Porto"),
    ("pulldata('cities', 'name', 'code', 2)", "Porto"),
    ("pulldata('cities', 'name', 'code', /data/num)", "Porto"),
    ("pulldata('cities', 'country', 'name', 'Nairobi')", "ke"),
    ("pulldata('cities', 'name', 'code', '9')", ""),
    ("pulldata('cities', 'nope', 'code', '1')", ""),
    ("pulldata('cities', 'name', 'nope', '1')", ""),
    ("pulldata('cities', 'name', 'code', '')", ""),
    ("jr:itext('hello')", ""),
    ("jr:choice-name('b', '/data/one')", "b"),
    ("jr:choice-name('', '/data/one')", ""),
    ("property('deviceid')", ""),
]


@pytest.mark.parametrize(("expr", "expected"), CASES)
def test_select_function(expr: str, expected: object) -> None:
    result = run(expr, XML, instances={"cities": CITIES})
    assert same(result, expected), f"{expr} gave {result!r}"


def test_pulldata_unknown_instance() -> None:
    with pytest.raises(FormError) as caught:
        run("pulldata('nope', 'a', 'b', 'c')", XML)
    assert caught.value.code == "xpath.unknown_instance"


def test_indexed_repeat_typed_value_stays_typed() -> None:
    result = run(
        "indexed-repeat(/data/rep/inner/v, /data/rep, 1, /data/rep/inner, 2) + 1",
        XML,
        types={"/data/rep/inner/v": "int"},
    )
    assert result == 3.0


def test_indexed_repeat_refuses_an_unrelated_repeat() -> None:
    with pytest.raises(FormError) as caught:
        run("indexed-repeat(/data/one, /data/rep, 1)", XML)
    assert caught.value.code == "xpath.bad_argument"
    assert "'indexed-repeat()'" in str(caught.value)


def test_indexed_repeat_needs_node_sets() -> None:
    with pytest.raises(FormError) as caught:
        run("indexed-repeat('x', /data/rep, 1)", XML)
    assert caught.value.code == "xpath.bad_argument"


def _env() -> Environment:
    env = fixed_env()

    def label(value: str, node: Node) -> str:
        where = node.parent.position() if node.parent is not None else 0
        return f"{node.name}[{where}]:{value.upper()}"

    env.choice_label = label
    env.itext = lambda key: {"hello": "Bonjour"}.get(key, "")
    env.properties = {"deviceid": "collect:abc", "username": "ana"}
    return env


def test_choice_name_asks_the_host_for_the_label() -> None:
    assert run("jr:choice-name(/data/one, '/data/one')", XML, env=_env()) == "one[1]:B"
    assert run("jr:choice-name('b', /data/one)", XML, env=_env()) == "one[1]:B"


def test_choice_name_inside_a_repeat_uses_the_current_instance() -> None:
    result = run("jr:choice-name(., ' /data/rep/q ')", XML, context="/data/rep[2]/q", env=_env())
    assert result == "q[2]:Y"


def test_choice_name_of_an_unknown_path_falls_back_to_the_value() -> None:
    assert run("jr:choice-name('b', '/data/nope')", XML, env=_env()) == "b"


def test_itext_and_properties_come_from_the_host() -> None:
    env = _env()
    assert run("jr:itext('hello')", XML, env=env) == "Bonjour"
    assert run("property('deviceid')", XML, env=env) == "collect:abc"
    assert run("property('nope')", XML, env=env) == ""

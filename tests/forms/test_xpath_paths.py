"""Location paths over instances: axes, predicates, repeats, secondary instances, typed nodes."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from forms.errors import FormError
from forms.xpath import Context, compile_expr, evaluate, load_document, references, resolve
from forms.xpath.functions import FUNCTIONS, Function
from forms.xpath.parser import parse
from forms.xpath.references import references_of
from forms.xpath.tree import Node
from forms.xpath.values import Value

HOUSEHOLD = """
<data id="hh" version="3">
  <region>north</region>
  <district>d2</district>
  <hh>
    <member><name>Ama</name><age>34</age><sex>f</sex></member>
    <member><name>Kofi</name><age>36</age><sex>m</sex></member>
    <member><name>Esi</name><age>9</age><sex>f</sex></member>
  </hh>
  <rep><q>1</q><x>first</x></rep>
  <rep><q>2</q><x>second</x></rep>
  <grp><inner><deep>z</deep></inner></grp>
  <meta><instanceID>uuid:1</instanceID></meta>
</data>
"""

DISTRICTS = """
<root>
  <item><name>d1</name><label>One</label><region>north</region></item>
  <item><name>d2</name><label>Two</label><region>north</region></item>
  <item><name>d3</name><label>Three</label><region>south</region></item>
</root>
"""


def run(expr: str, context: str | None = None) -> Value:
    return evaluate(expr, HOUSEHOLD, context, instances={"districts": DISTRICTS})


def texts(result: Value) -> list[str]:
    assert isinstance(result, list)
    return [n.string_value() for n in result]


@pytest.mark.parametrize(
    ("expr", "context", "expected"),
    [
        ("/data/region", None, ["north"]),
        ("/data/hh/member/name", None, ["Ama", "Kofi", "Esi"]),
        ("region", None, ["north"]),
        ("hh/member[2]/name", None, ["Kofi"]),
        (".", "/data/region", ["north"]),
        ("..", "/data/hh/member[1]/name", ["Ama34f"]),
        ("../age", "/data/hh/member[3]/name", ["9"]),
        ("../../member[1]/name", "/data/hh/member[3]/name", ["Ama"]),
        ("../x", "/data/rep[2]/q", ["second"]),
        ("/data/rep[2]/x", "/data/rep[1]/q", ["second"]),
        ("./../x", "/data/rep[1]/q", ["first"]),
        ("@version", None, ["3"]),
        ("/data/@id", None, ["hh"]),
        ("/data/@missing", None, []),
        ("/data/hh/*[1]/name", None, ["Ama"]),
        ("/data/hh/member/*[3]", None, ["f", "m", "f"]),
        ("//deep", None, ["z"]),
        ("/data//name", None, ["Ama", "Kofi", "Esi"]),
        ("//member[2]/name", None, ["Kofi"]),
        ("(//name)[last()]", None, ["Esi"]),
        ("/data/grp/inner/deep/ancestor::grp/inner/deep", None, ["z"]),
        ("/data/hh/member/name/..[age > 30]/name", None, ["Ama", "Kofi"]),
        ("/data/hh/member/..", None, ["Ama34fKofi36mEsi9f"]),
        ("/data/nothing/below", None, []),
        ("/data/hh/member[0]", None, []),
        ("/data/hh/member[1.5]", None, []),
        ("/data/hh/member[4]", None, []),
    ],
)
def test_paths(expr: str, context: str | None, expected: list[str]) -> None:
    assert texts(run(expr, context)) == expected


def test_absolute_root_is_the_document_node() -> None:
    result = run("/")
    assert isinstance(result, list) and len(result) == 1
    assert result[0].children[0].name == "data"


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("/data/hh/member[age > 30]/name", ["Ama", "Kofi"]),
        ("/data/hh/member[sex = 'f'][2]/name", ["Esi"]),
        ("/data/hh/member[2][sex = 'f']/name", []),
        ("/data/hh/member[position() = last()]/name", ["Esi"]),
        ("/data/hh/member[position() > 1 and age < 20]/name", ["Esi"]),
        ("/data/hh/member[last() - 1]/name", ["Kofi"]),
        ("/data/hh/member[name = /data/hh/member[3]/name]/age", ["9"]),
        ("/data/hh/member[count(../member) = 3][1]/name", ["Ama"]),
        ("/data/hh/member['x']/name", ["Ama", "Kofi", "Esi"]),
        ("/data/hh/member[/data/region = 'south']/name", []),
        ("/data/hh/member[1 = 1][age = 36]/name", ["Kofi"]),
        ("/data/hh/member[age][1]/name", ["Ama"]),
    ],
)
def test_predicates(expr: str, expected: list[str]) -> None:
    assert texts(run(expr)) == expected


@pytest.mark.parametrize(
    ("expr", "context", "expected"),
    [
        ("instance('districts')/root/item[region = /data/region]/name", None, ["d1", "d2"]),
        ("instance('districts')/root/item[name = /data/district]/label", None, ["Two"]),
        ("instance('districts')/root/item[region = 'south']/label", None, ["Three"]),
        (
            "instance('districts')/root/item[region = current()/../region]/name",
            "/data/district",
            ["d1", "d2"],
        ),
        (
            "instance('districts')/root/item[current()/../region = region]/name",
            "/data/district",
            ["d1", "d2"],
        ),
        ("instance('districts')/root/item[name = current()]/label", "/data/district", ["Two"]),
        ("instance('districts')/root/item[2]/label", None, ["Two"]),
        ("count(instance('districts')/root/item)", None, None),
    ],
)
def test_secondary_instance_lookups(
    expr: str, context: str | None, expected: list[str] | None
) -> None:
    result = run(expr, context)
    if expected is None:
        assert result == 3.0
    else:
        assert texts(result) == expected


def test_current_is_the_bound_node_inside_predicates() -> None:
    doc = load_document(HOUSEHOLD)
    districts = load_document(DISTRICTS)
    question = resolve(doc, "/data/district")
    ctx = Context(question, doc, question, {"districts": districts})
    fn = compile_expr("instance('districts')/root/item[name = current()]/label")
    assert texts(fn(ctx)) == ["Two"]
    assert texts(compile_expr("current()")(ctx)) == ["d2"]


def test_unknown_instance_is_a_clear_error() -> None:
    with pytest.raises(FormError) as info:
        run("instance('villages')/root/item")
    assert info.value.code == "xpath.unknown_instance"
    assert "villages" in str(info.value)


def test_context_path_that_selects_nothing() -> None:
    with pytest.raises(FormError) as info:
        run("1", "/data/rep[3]/q")
    assert info.value.code == "xpath.no_context"


def test_malformed_and_hostile_xml_are_clear_errors() -> None:
    with pytest.raises(FormError) as info:
        evaluate("1", "<data><a></data>")
    assert info.value.code == "xpath.bad_xml"
    bomb = '<!DOCTYPE d [<!ENTITY e "x">]><data>&e;</data>'
    with pytest.raises(FormError) as info:
        evaluate("1", bomb)
    assert info.value.code == "xpath.bad_xml"


def test_filter_on_a_value_is_an_evaluation_error() -> None:
    with pytest.raises(FormError) as info:
        run("('abc')[1]")
    assert info.value.code == "xpath.eval"


def _typed() -> tuple[Context, Node]:
    doc = load_document(
        "<data><born>2000-01-02</born><count/><n>7</n><grp><hidden>secret</hidden></grp>"
        "<flag>x</flag></data>"
    )
    root = doc.children[0]
    for node, kind in zip(root.children, ["date", "int", "int", None, None], strict=True):
        node.datatype = kind
    return Context(root, doc, root), root


def test_date_nodes_are_days_since_1970_in_arithmetic() -> None:
    ctx, _ = _typed()
    assert compile_expr("/data/born + 1")(ctx) == 10959.0
    assert compile_expr("/data/born > 10956")(ctx) is True
    assert compile_expr("/data/born = '2000-01-02'")(ctx) is True
    assert texts(compile_expr("/data/born")(ctx)) == ["2000-01-02"]


def test_empty_int_node_is_nan_and_filled_int_node_is_a_number() -> None:
    ctx, _ = _typed()
    result = compile_expr("/data/count + 1")(ctx)
    assert isinstance(result, float) and math.isnan(result)
    assert compile_expr("/data/count = 0")(ctx) is False
    assert compile_expr("/data/n = '7.00'")(ctx) is True


def test_non_relevant_nodes_read_as_empty() -> None:
    ctx, root = _typed()
    group = root.children[3]
    for node in group.iter():
        node.relevant = False
    root.children[4].relevant = False
    assert compile_expr("/data/grp/hidden = ''")(ctx) is True
    assert compile_expr("string-length(/data/grp)")(ctx) == 0.0
    assert compile_expr("/data/flag = 'x'")(ctx) is False
    assert compile_expr("count(/data/grp/hidden)")(ctx) == 1.0


def test_a_day_in_evaluate_results() -> None:
    assert isinstance(evaluate("today()"), dt.date)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("/data/a = 'yes' and /data/b > 3", {"/data/a", "/data/b"}),
        (". >= 0 and . <= 120", {"."}),
        ("../x + ../../y", {"../x", "../../y"}),
        ("count(/data/hh/member[age > 15])", {"/data/hh/member", "/data/hh/member/age"}),
        (
            "instance('d')/root/item[region = current()/../r]/name",
            {"instance('d')/root/item/name", "instance('d')/root/item/region", "current()/../r"},
        ),
        ("/data/rep[../n = 2]/x", {"/data/rep/x", "/data/n"}),
        ("string-length()", {"."}),
        ("concat(/data/a, 'x', /data/b/@id)", {"/data/a", "/data/b/@id"}),
        ("1 + 2", set()),
    ],
)
def test_references(expr: str, expected: set[str]) -> None:
    assert references(expr) == expected
    assert references_of(expr, parse(expr)) == expected


@pytest.mark.parametrize(
    "expr",
    [
        " /data/g/q7  != ''",
        "coalesce( /data/g/q8 , 0) + 1",
        "instance('city')/root/item[state= /data/g/q5  or  /data/g/q5  = '']",
        "instance('city')/root/item[state= /data/g/q6  or  /data/g/q6  = '']",
        "count( /data/rep[age > /data/min ]) + sum(../_pig)",
        "(/data/a)/b + /data/c",
        "(/data/a)/.. + /data/c",
        "/data/rep[../n = 2]/x + current()/../y",
        "concat('/data/x', /data/y)",
        "indexed-repeat( /data/r/name , /data/r , position(..))",
    ],
)
def test_references_of_a_shape_equal_the_walk_of_each_expression(expr: str) -> None:
    references_of(" /data/other  != ''", parse(" /data/other  != ''"))  # another of one shape
    assert references_of(expr, parse(expr)) == references(expr)


def test_a_failing_function_becomes_an_evaluation_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(ctx: Context, args: list[Value]) -> Value:
        raise ZeroDivisionError("float division by zero")

    monkeypatch.setitem(FUNCTIONS, "test-broken", Function("test-broken", broken, 0, 0))
    with pytest.raises(FormError) as info:
        run("1 + test-broken()")
    assert info.value.code == "xpath.eval"
    assert "test-broken()" in str(info.value)


def test_predicates_see_their_own_position_and_size() -> None:
    seen: list[tuple[str, int, int]] = []

    def spy(ctx: Context, args: list[Value]) -> Value:
        seen.append((ctx.node.string_value(), ctx.position, ctx.size))
        return True

    FUNCTIONS["test-spy"] = Function("test-spy", spy, 0, 0)
    try:
        assert texts(run("/data/hh/member/name[test-spy()]")) == ["Ama", "Kofi", "Esi"]
        assert texts(run("/data/hh/member[age > 30][test-spy()]/name")) == ["Ama", "Kofi"]
    finally:
        del FUNCTIONS["test-spy"]
    assert seen == [
        ("Ama", 1, 1),
        ("Kofi", 1, 1),
        ("Esi", 1, 1),
        ("Ama34f", 1, 2),
        ("Kofi36m", 2, 2),
    ]


def _siblings() -> Node:
    parent = Node("data")
    for name in ("rep", "rep", "x", "rep"):
        parent.append(Node(name))
    assert [c.position() for c in parent.children] == [1, 2, 1, 3]  # the table is kept
    return parent


def _recounted(parent: Node) -> list[int]:
    """Positions counted afresh, without any table."""
    seen: dict[str, int] = {}
    positions = []
    for child in parent.children:
        seen[child.name] = seen.get(child.name, 0) + 1
        positions.append(seen[child.name])
    return positions


@pytest.mark.parametrize(
    ("index", "name", "last"), [(4, "rep", True), (0, "rep", False), (1, "y", True)]
)
def test_positions_follow_inserts_and_removals(index: int, name: str, last: bool) -> None:
    """`position(..)` (XForms spec: the position among same-named siblings) stays right
    when the parent keeps a table: an instance inserted after its siblings keeps theirs,
    one before them renumbers them, a removal renumbers after `children_changed`."""
    parent = _siblings()
    assert parent.insert(index, Node(name)) is last
    assert [c.position() for c in parent.children] == _recounted(parent)
    parent.children.remove(parent.children[0])
    parent.children_changed()
    assert [c.position() for c in parent.children] == _recounted(parent)

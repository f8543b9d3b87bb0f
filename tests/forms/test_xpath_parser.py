"""The XPath parser: precedence, operator-name disambiguation, syntax forms, errors."""

from __future__ import annotations

import re
import time

import pytest

from forms.errors import FormError
from forms.xpath import parse, unparse
from forms.xpath.ast import Binary, Call, Filter, Negate, Number, Path, Step, String
from forms.xpath.parser import (
    _PLAIN_PATH,
    MAX_DEPTH,
    MAX_LENGTH,
    _Parser,
    _template_builder,
    clear_caches,
)


def child(name: str, *predicates: object) -> Step:
    return Step("child", name, tuple(predicates))  # type: ignore[arg-type]


def rel(*names: str) -> Path:
    return Path(False, tuple(child(n) for n in names))


SELF = Step("self", "node()")
PARENT = Step("parent", "node()")
DESCENDANT = Step("descendant-or-self", "node()")


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("1 + 2 * 3", Binary("+", Number(1), Binary("*", Number(2), Number(3)))),
        ("(1 + 2) * 3", Binary("*", Binary("+", Number(1), Number(2)), Number(3))),
        ("1 - 2 - 3", Binary("-", Binary("-", Number(1), Number(2)), Number(3))),
        ("a or b and c", Binary("or", rel("a"), Binary("and", rel("b"), rel("c")))),
        ("a = b < c", Binary("=", rel("a"), Binary("<", rel("b"), rel("c")))),
        ("1 < 2 + 3", Binary("<", Number(1), Binary("+", Number(2), Number(3)))),
        ("-a | b", Negate(Binary("|", rel("a"), rel("b")))),
        ("- -1", Negate(Negate(Number(1)))),
        ("6 div 2 mod 4", Binary("mod", Binary("div", Number(6), Number(2)), Number(4))),
        ("a != b", Binary("!=", rel("a"), rel("b"))),
        (
            "a>=1 and a<=2",
            Binary("and", Binary(">=", rel("a"), Number(1)), Binary("<=", rel("a"), Number(2))),
        ),
    ],
)
def test_precedence_and_associativity(text: str, tree: object) -> None:
    assert parse(text) == tree


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("div div div", Binary("div", rel("div"), rel("div"))),
        ("mod mod mod", Binary("mod", rel("mod"), rel("mod"))),
        ("and and or", Binary("and", rel("and"), rel("or"))),
        ("* * *", Binary("*", rel("*"), rel("*"))),
        ("count(*)", Call("count", (rel("*"),))),
        ("@* | *", Binary("|", Path(False, (Step("attribute", "*"),)), rel("*"))),
        ("2*3", Binary("*", Number(2), Number(3))),
        (". * 2", Binary("*", Path(False, (SELF,)), Number(2))),
        (".. div 2", Binary("div", Path(False, (PARENT,)), Number(2))),
        ("a-b", rel("a-b")),
        ("a - b", Binary("-", rel("a"), rel("b"))),
        ("/data/or", Path(True, (child("data"), child("or")))),
    ],
)
def test_operator_names_and_star_depend_on_what_precedes(text: str, tree: object) -> None:
    assert parse(text) == tree


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("/", Path(True, ())),
        ("/data/a", Path(True, (child("data"), child("a")))),
        (".", Path(False, (SELF,))),
        ("..", Path(False, (PARENT,))),
        ("../x", Path(False, (PARENT, child("x")))),
        ("@id", Path(False, (Step("attribute", "id"),))),
        ("/data/@version", Path(True, (child("data"), Step("attribute", "version")))),
        ("//item", Path(True, (DESCENDANT, child("item")))),
        ("a//b", Path(False, (child("a"), DESCENDANT, child("b")))),
        ("rep[2]", Path(False, (child("rep", Number(2)),))),
        (
            "rep[a = 1][last()]",
            Path(False, (child("rep", Binary("=", rel("a"), Number(1)), Call("last")),)),
        ),
        ("jr:template", rel("jr:template")),
        ("x:*", rel("x:*")),
        ("self::node()", Path(False, (SELF,))),
        ("ancestor::grp", Path(False, (Step("ancestor", "grp"),))),
        ("child::node()", Path(False, (Step("child", "node()"),))),
        (".5", Number(0.5)),
        ("5.", Number(5.0)),
        ("007.250", Number(7.25)),
        ("'it''s'", None),
        ('"it\'s"', String("it's")),
        ("'say \"hi\"'", String('say "hi"')),
        ("''", String("")),
        ("current()", Call("current")),
        ("current()/../x", Filter(Call("current"), (), (PARENT, child("x")))),
        (
            "instance('list')/root/item[name = current()/../x]/label",
            Filter(
                Call("instance", (String("list"),)),
                (),
                (
                    child("root"),
                    child(
                        "item",
                        Binary("=", rel("name"), Filter(Call("current"), (), (PARENT, child("x")))),
                    ),
                    child("label"),
                ),
            ),
        ),
        ("(a | b)[1]", Filter(Binary("|", rel("a"), rel("b")), (Number(1),))),
        ("(/data/x)", Path(True, (child("data"), child("x")))),
        (
            "jr:choice-name(., '/data/x')",
            Call("jr:choice-name", (Path(False, (SELF,)), String("/data/x"))),
        ),
        ("  1\n+\t2 ", Binary("+", Number(1), Number(2))),
    ],
)
def test_syntax_forms(text: str, tree: object) -> None:
    if tree is None:
        with pytest.raises(FormError) as info:
            parse(text)
        assert info.value.code == "xpath.syntax"
    else:
        assert parse(text) == tree


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("1 +", 4),
        ("/data/a > > 3", 11),
        ("(1 + 2", 7),
        ("1 + 2)", 6),
        ("a[1", 4),
        ("'open", 1),
        ("${q1} > 3", 1),
        ("a # b", 3),
        ("1 2", 3),
        ("foo::bar", 1),
        ("f(1,)", 5),
        ("/data/", 7),
        ("@", 2),
        ("a::", 1),
    ],
)
def test_syntax_errors_say_where(text: str, position: int) -> None:
    with pytest.raises(FormError) as info:
        parse(text)
    assert info.value.code == "xpath.syntax"
    assert f"at character {position}" in str(info.value)
    assert text in str(info.value)


def test_empty_expression_is_a_syntax_error() -> None:
    with pytest.raises(FormError) as info:
        parse("   ")
    assert info.value.code == "xpath.syntax"


@pytest.mark.parametrize(
    "text",
    [
        "(" * 10_000 + "1" + ")" * 10_000,
        "-(" * 10_000 + "1" + ")" * 10_000,
        "-" * 10_000 + "1",
        "a[" * 10_000 + "1" + "]" * 10_000,
        "count(" * 2_000 + "a" + ")" * 2_000,
        "1" + " = 1 or (1" * 1_000 + ")" * 1_000,
    ],
)
def test_deep_nesting_fails_fast_with_a_clear_error(text: str) -> None:
    started = time.perf_counter()
    with pytest.raises(FormError) as info:
        parse(text)
    assert info.value.code == "xpath.too_deep"
    assert str(MAX_DEPTH) in str(info.value)
    assert time.perf_counter() - started < 10, "a hang guard, not a speed test"


def test_moderate_nesting_and_long_flat_chains_parse() -> None:
    nested = "if(/data/a = 1, 1, " * 30 + "0" + ")" * 30
    assert isinstance(parse(nested), Call)
    flat = " + ".join(f"/data/x{i}" for i in range(2_000))
    tree = parse(flat)
    assert isinstance(tree, Binary)
    assert parse(unparse(tree)) == tree


def test_overlong_expressions_are_refused() -> None:
    with pytest.raises(FormError) as info:
        parse("1" + " " * MAX_LENGTH)
    assert info.value.code == "xpath.too_long"


def test_unknown_function_names_the_function() -> None:
    with pytest.raises(FormError) as info:
        parse("foo(/data/q1) > 3")
    assert info.value.code == "xpath.unknown_function"
    assert "foo()" in str(info.value)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("count()", "count"),
        ("true(1)", "true"),
        ("current(1)", "current"),
        ("instance()", "instance"),
    ],
)
def test_wrong_argument_count_names_the_function(text: str, name: str) -> None:
    with pytest.raises(FormError) as info:
        parse(text)
    assert info.value.code == "xpath.arg_count"
    assert f"'{name}()'" in str(info.value)


def test_parse_results_are_cached() -> None:
    text = "/data/cached_probe + 1"
    assert parse(text) is parse(text)
    assert parse.cache_info().maxsize == 4096


def test_parse_trees_are_immutable() -> None:
    tree = parse("1 + 2")
    with pytest.raises(AttributeError):
        tree.op = "-"  # type: ignore[misc,union-attr]


@pytest.mark.parametrize(
    "path",
    [
        "/data/a/b",
        "/data",
        "a",
        "../x",
        "../../g/x",
        ".",
        "..",
        "./a",
        "and",
        "div/mod",
        "/data/q-1.x",
        "/data/é_1",
        "a/./b",
        "/node",
        "x..y",
    ],
)
def test_plain_paths_skip_the_tokenizer_but_build_the_same_tree(path: str) -> None:
    assert _PLAIN_PATH.match(path)
    assert parse(path) == _Parser(path).parse()


@pytest.mark.parametrize(
    "expr",
    [
        "/data/a + 1",
        "../a/b = 2",
        "/data/x[1]/y[. > 2]/z",
        "/data/node()",
        "/child::data/x",
        "/data/a | /data/b",
        "5 div /data/div * /data/mod",
        "/data/a/../b",
        "/data/a//b",
        "/data/x:y",
        "instance('c')/root/item[name = /data/g/q]/label",
        "count(/data/rep) > /data/g/n and selected(/data/s, 'a')",
        "current()/../a/b",
    ],
)
def test_absolute_paths_read_as_one_token_build_the_same_tree(expr: str) -> None:
    spaced = re.sub(r"(?<!/)/(?=[^\W\d])", "/ ", expr)  # no path tokens then
    assert spaced != expr
    assert parse(expr) == parse(spaced)
    assert unparse(parse(expr)) == unparse(parse(spaced))


@pytest.mark.parametrize(
    "expr",
    [
        " /data/g/q7  != ''",
        "coalesce( /data/g/q8 , 0) + 1",
        "instance('city')/root/item[state= /data/g/q1  or  /data/g/q1  = '']",
        "a /data/b",
        "'x /data/y' = /data/z",
        "concat('/data/a', /data/a)",
        "/data/a[1] + /data/b",
        "/data/a/.. + /data/b",
        "../a /data/b",
        "- /data/a | /data/b",
        "/data/a div /data/b * 2",
    ],
)
def test_expressions_of_one_shape_share_a_template_and_parse_the_same(expr: str) -> None:
    assert parse(expr) == _Parser(expr).parse()


def test_a_template_is_parsed_once_per_shape() -> None:
    clear_caches()
    for i in range(50):
        parse(f" /data/g/q{i}  != '' and /data/g/r{i} > 3")
    assert _template_builder.cache_info().misses == 1
    assert (
        parse(" /data/g/q9  != '' and /data/g/r9 > 3")
        == _Parser(" /data/g/q9  != '' and /data/g/r9 > 3").parse()
    )


def test_a_syntax_error_still_names_its_position_in_the_text() -> None:
    with pytest.raises(FormError) as error:
        parse("/data/long/path/name = = 2")
    assert "character 24" in error.value.problems[0].message

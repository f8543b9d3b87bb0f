"""String functions through `forms.xpath.evaluate`: spec examples and JavaRosa edge cases."""

from __future__ import annotations

import re

import pytest
from xpath_functions_support import run, same

from forms.errors import FormError

XML = """<data>
  <name>Maria da Silva</name>
  <spaced>  a \t b\n  c  </spaced>
  <blank/>
  <age>42</age>
  <kids><kid>Ana</kid><kid>Bia</kid><kid/><kid>Caio</kid></kids>
  <emoji>a\U0001f600b</emoji>
</data>"""

CASES: list[tuple[str, object]] = [
    ("string(42)", "42"),
    ("string(1.5)", "1.5"),
    ("string(1 div 0)", "Infinity"),
    ("string(0 div 0)", "NaN"),
    ("string(true())", "true"),
    ("string(/data/kids/kid)", "Ana"),
    ("string(/data/missing)", ""),
    ("string(/data/age)", "42"),
    ("concat('a', 'b', 'c')", "abc"),
    ("concat('only')", "only"),
    ("concat(/data/kids/kid)", "AnaBiaCaio"),
    ("concat(/data/kids/kid, '!')", "AnaBiaCaio!"),
    ("concat(1, true(), /data/missing)", "1true"),
    ("join(', ', /data/kids/kid)", "Ana, Bia, , Caio"),
    ("join('-', 'a', 'b', 3)", "a-b-3"),
    ("join('-')", ""),
    ("substr('hello', 1)", "ello"),
    ("substr('hello', 1, 3)", "el"),
    ("substr('hello', 0, 2)", "he"),
    ("substr('hello', -2)", "lo"),
    ("substr('hello', 1, -1)", "ell"),
    ("substr('hello', 3, 1)", ""),
    ("substr('hello', 10)", ""),
    ("substr('hello', 1.9, 3.9)", "el"),
    ("substr('hello', 'x')", "hello"),
    ("substr(/data/missing, 1)", ""),
    ("substring-before('2024-03-05', '-')", "2024"),
    ("substring-before('abc', 'x')", ""),
    ("substring-before('abc', '')", ""),
    ("substring-after('2024-03-05', '-')", "03-05"),
    ("substring-after('abc', 'x')", ""),
    ("substring-after('abc', '')", "abc"),
    ("translate('bar', 'abc', 'ABC')", "BAr"),
    ("translate('--aaa--', 'abc-', 'ABC')", "AAA"),
    ("translate('abc', 'aa', 'xy')", "xbc"),
    ("string-length('hello')", 5.0),
    ("string-length('')", 0.0),
    ("string-length(/data/name)", 14.0),
    ("string-length(/data/missing)", 0.0),
    ("string-length(/data/emoji)", 4.0),
    ("string-length(12.50)", 4.0),
    ("normalize-space(/data/spaced)", "a b c"),
    ("normalize-space('  x  ')", "x"),
    ("normalize-space('')", ""),
    ("contains(/data/name, 'Silva')", True),
    ("contains(/data/name, 'silva')", False),
    ("contains('abc', '')", True),
    ("starts-with(/data/name, 'Maria')", True),
    ("starts-with('abc', 'b')", False),
    ("ends-with(/data/name, 'Silva')", True),
    ("ends-with('abc', 'b')", False),
    ("regex('abc123', '[a-z]+[0-9]+')", True),
    ("regex('abc123x', '[a-z]+[0-9]+')", False),
    ("regex('xabc', 'abc')", False),
    ("regex('', '.*')", True),
    ("regex(/data/age, '^[0-9]{2}$')", True),
    ("regex('a.b', 'a\\.b\\z')", True),
    ("regex(/data/missing, '[0-9]+')", False),
    ("digest('abc', 'MD5', 'hex')", "900150983cd24fb0d6963f7d28e17f72"),
    ("digest('abc', 'SHA-1', 'hex')", "a9993e364706816aba3e25717850c26c9cd0d89d"),
    (
        "digest('abc', 'SHA-256', 'hex')",
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    ),
    ("digest('abc', 'SHA-256')", "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="),
    ("digest('abc', 'sha-256', 'base64')", "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="),
    ("string-length(digest('abc', 'SHA-384', 'hex'))", 96.0),
    ("string-length(digest('abc', 'SHA-512', 'hex'))", 128.0),
    ("digest('', 'MD5', 'hex')", "d41d8cd98f00b204e9800998ecf8427e"),
    ("base64-decode('SGVsbG8gV29ybGQ=')", "Hello World"),
    ("base64-decode('w6lsw6h2ZQ==')", "\u00e9l\u00e8ve"),
    ("base64-decode('SGVsbG8')", "Hello"),
    ("base64-decode('not base64!')", ""),
    ("base64-decode('')", ""),
    ("base64-decode('/w==')", "\ufffd"),
    ("string-length(uuid())", 36.0),
    ("string-length(uuid(12))", 12.0),
    ("uuid(0)", ""),
    ("uuid(-3)", ""),
]


@pytest.mark.parametrize(("expr", "expected"), CASES)
def test_string_function(expr: str, expected: object) -> None:
    result = run(expr, XML)
    assert same(result, expected), f"{expr} gave {result!r}"


def test_context_node_forms_of_string_functions() -> None:
    assert run("string()", XML, context="/data/age") == "42"
    assert run("string-length()", XML, context="/data/age") == 2.0
    assert run("normalize-space()", XML, context="/data/spaced") == "a b c"


def test_uuid_is_version_4() -> None:
    value = run("uuid()")
    assert isinstance(value, str)
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", value
    )


def test_uuid_with_length_is_alphanumeric() -> None:
    value = run("uuid(40)")
    assert isinstance(value, str) and re.fullmatch(r"[A-Za-z0-9]{40}", value)


@pytest.mark.parametrize(
    ("expr", "names"),
    [
        ("regex(., '(')", "regex"),
        ("regex('a', '[z-a]')", "regex"),
        ("regex('a', '\\p{Alpha}')", "regex"),
        ("digest('a', 'SHA-3')", "digest"),
        ("digest('a', 'MD5', 'base32')", "digest"),
        ("uuid(1000000000)", "uuid"),
    ],
)
def test_bad_arguments_are_form_errors_naming_the_function(expr: str, names: str) -> None:
    with pytest.raises(FormError) as caught:
        run(expr, XML)
    assert caught.value.code == "xpath.bad_argument"
    assert f"'{names}()'" in str(caught.value)


def test_regex_refuses_unbounded_input() -> None:
    xml = f"<data><big>{'a' * 20000}</big></data>"
    with pytest.raises(FormError) as caught:
        run("regex(/data/big, 'a+')", xml)
    assert caught.value.code == "xpath.bad_argument"

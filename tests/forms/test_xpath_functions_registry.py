"""Every function of the ODK XForms spec's function table is known, with its arity."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from xpath_functions_support import fixed_env, run

from forms.errors import FormError
from forms.xpath import Context, load_document
from forms.xpath.functions import FUNCTIONS
from forms.xpath.parser import BUILTINS
from forms.xpath.values import Value

# The "XPath Functions" table of getodk.github.io/xforms-spec, category by category.
SPEC_TABLE = {
    "string": ["string", "concat", "join", "substr", "substring-before", "substring-after",
               "translate", "string-length", "normalize-space", "contains", "starts-with",
               "ends-with", "uuid", "digest", "pulldata", "base64-decode"],
    "boolean": ["if", "coalesce", "once", "true", "false", "boolean", "boolean-from-string",
                "not", "regex", "checklist", "weighted-checklist"],
    "number": ["number", "random", "int", "sum", "max", "min", "round", "pow", "log", "log10",
               "abs", "sin", "cos", "tan", "asin", "acos", "atan", "atan2", "sqrt", "exp",
               "exp10", "pi"],
    "node-set": ["count", "count-non-empty", "position", "instance", "current", "randomize"],
    "date": ["today", "now", "format-date", "format-date-time", "date", "decimal-date-time",
             "decimal-time"],
    "select": ["selected", "selected-at", "count-selected", "jr:choice-name"],
    "translation": ["jr:itext"],
    "repeat": ["indexed-repeat"],
    "geographic": ["area", "distance"],
}  # fmt: skip

ALL = sorted({name for names in SPEC_TABLE.values() for name in names})

# (expression, accepted) pairs at the edges of each function's arity.
ARITY: list[tuple[str, bool]] = [
    ("true(1)", False),
    ("string()", True),
    ("concat()", True),
    ("join()", False),
    ("substr('a')", False),
    ("substr('a', 1, 2, 3)", False),
    ("string-length()", True),
    ("uuid(1, 2)", False),
    ("digest('a')", False),
    ("if(1, 2)", False),
    ("coalesce('a')", False),
    ("checklist(1)", False),
    ("round(1, 2, 3)", False),
    ("max()", False),
    ("randomize()", False),
    ("randomize(/data, 1, 2)", False),
    ("indexed-repeat(/data, /data)", False),
    ("position(/data, 2)", False),
    ("distance('0 0', '0 1', '1 1')", True),
    ("area('0 0', '0 1')", False),
    ("pulldata('a', 'b', 'c')", False),
]


@pytest.mark.parametrize("name", ALL)
def test_spec_function_is_known(name: str) -> None:
    assert name in FUNCTIONS or name in BUILTINS


@pytest.mark.parametrize(("expr", "accepted"), ARITY)
def test_argument_counts_are_checked_when_read(expr: str, accepted: bool) -> None:
    if accepted:
        run(expr)
        return
    with pytest.raises(FormError) as caught:
        run(expr)
    assert caught.value.code == "xpath.arg_count"


def test_unknown_function_is_refused_by_name() -> None:
    with pytest.raises(FormError) as caught:
        run("upper-case('a')")
    assert caught.value.code == "xpath.unknown_function"
    assert "upper-case" in str(caught.value)


def _odd_values() -> list[Value]:
    doc = load_document("<data><a>x</a><b/><c>1 2;3</c><d>2024-01-01</d></data>")
    nodes = doc.children[0].children
    typed = load_document("<data><n>abc</n></data>").children[0].children
    typed[0].datatype = "date"
    return [
        "", "abc", "%", "(", "1 2", "2024-02-30", math.nan, math.inf, -math.inf, 1.7e308,
        -0.0, -1.0, 2.0**40, True, [], nodes, nodes[1:2], typed,
        dt.date(2024, 1, 1), dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
    ]  # fmt: skip


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_odd_arguments_give_a_value_or_a_form_error(name: str) -> None:
    function = FUNCTIONS[name]
    doc = load_document("<data><x/></data>")
    ctx = Context(doc.children[0], doc, doc.children[0], {"i": doc}, fixed_env())
    counts = sorted({function.min_args, function.min_args + 1, 4} & set(range(0, 6)))
    odd = _odd_values()
    for count in (c for c in counts if function.accepts(c)):
        for value in odd:
            for position in range(count):
                args: list[Value] = [odd[(position * 7) % len(odd)] for _ in range(count)]
                args[position] = value
                try:
                    function.impl(ctx, args)
                except FormError:
                    pass

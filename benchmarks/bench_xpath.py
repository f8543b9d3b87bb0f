"""XPath evaluation speed: our compiled closures against elementpath's XPath 1.0 parser.

Both engines get the same household instance (a roster of 8 members, 5 plots,
crops, incomes), parsed once from the same XML string. Everything but the evaluation
is done once per expression, outside the timing and the same way for both: the
expression compiled (ours `compile_expr`, elementpath a `Selector`'s token tree) and
the evaluation context built (ours a `Context`, elementpath an `XPathContext`, each on
the expression's context node; elementpath's is read through `evaluate`, since its
`get_results` leaves the context on the result). Before any timing, both must return the same value
for every expression (numbers as floats, node-sets as their nodes' string-values); a
difference stops the run, naming the expression. Expressions elementpath cannot run
(ODK-only functions, a date string compared with `>`) are timed for us only, with the reason.
Goal: a geometric-mean speedup of at least 3x.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from xml.etree import ElementTree as ET

import elementpath

from forms.xpath import Context, Node, compile_expr, load_document, resolve

GOAL = 3.0
BATCHES = 7
BATCH_NS = 4_000_000


def household_xml() -> str:
    members = "".join(
        f"<member><name>M{i}</name><sex>{'f' if i % 2 else 'm'}</sex><age>{5 + 7 * i}</age>"
        f"<works>{'yes' if 16 <= 5 + 7 * i <= 65 else 'no'}</works>"
        f"<income>{120 * i if 16 <= 5 + 7 * i <= 65 else ''}</income></member>"
        for i in range(8)
    )
    plots = "".join(
        f"<plot><plot_id>{i + 1}</plot_id><area_ha>{0.5 + i * 0.75}</area_ha>"
        f"<crop>{'cocoa' if i % 2 == 0 else 'maize'}</crop><yield_kg>{300 + 55 * i}</yield_kg>"
        f"<price>{2.5 + i * 0.1}</price></plot>"
        for i in range(5)
    )
    return (
        '<data id="living_income" version="2024"><consent>yes</consent><region>r3</region>'
        "<district>d7</district><hh_size>8</hh_size><head_age>47</head_age>"
        "<crops>cocoa maize cassava</crops><interview_date>2024-03-01</interview_date>"
        f"<hh>{members}</hh><plots>{plots}</plots>"
        "<income><wage>5400</wage><business>1200</business><remittances></remittances>"
        "<other>300</other></income><calc><total></total></calc>"
        "<meta><instanceID>uuid:00000000-0000-4000-8000-000000000000</instanceID></meta></data>"
    )


def districts_xml() -> str:
    items = "".join(
        f"<item><name>d{i}</name><label>District {i}</label><region>r{i % 6}</region></item>"
        for i in range(40)
    )
    return f"<root>{items}</root>"


ODK = "ODK function"
NOT_A_NUMBER = "elementpath raises on a date string where XPath 1.0 reads NaN"
# (expression, context path, why elementpath cannot run it: None when it can)
CASES: list[tuple[str, str | None, str | None]] = [
    ("/data/consent = 'yes'", None, None),
    ("/data/consent = 'yes' and /data/hh_size > 3", None, None),
    (". >= 0 and . <= 120", "/data/head_age", None),
    (". > 0", "/data/hh_size", None),
    ("/data/hh_size", None, None),
    ("count(/data/hh/member)", None, None),
    ("count(/data/hh/member[age >= 16])", None, None),
    ("count(/data/hh/member[sex = 'f' and age < 15])", None, None),
    ("sum(/data/plots/plot/area_ha)", None, None),
    ("sum(/data/plots/plot/yield_kg) div count(/data/plots/plot)", None, None),
    ("/data/income/wage + /data/income/business + /data/income/other", None, None),
    ("(/data/income/wage + /data/income/business) * 12 div /data/hh_size", None, None),
    ("/data/income/wage mod 7", None, None),
    ("round(sum(/data/plots/plot/area_ha) * 2.47)", None, None),
    ("string-length(/data/meta/instanceID) > 0", None, None),
    ("concat(/data/region, '-', /data/district)", None, None),
    ("contains(/data/crops, 'cocoa')", None, None),
    ("not(/data/consent = 'no')", None, None),
    ("/data/hh/member[3]/name", None, None),
    ("/data/hh/member[last()]/age", None, None),
    ("/data/plots/plot[crop = 'cocoa']/area_ha", None, None),
    ("/data/plots/plot[area_ha > 2][1]/plot_id", None, None),
    ("../age >= 16", "/data/hh/member[4]/works", None),
    ("../../member[1]/age - ../age", "/data/hh/member[5]/works", None),
    ("count(../../plot[crop = 'cocoa'])", "/data/plots/plot[2]/crop", None),
    ("../area_ha * ../price", "/data/plots/plot[3]/yield_kg", None),
    ("/data/hh/member[age > 15]/income != ''", None, None),
    ("//plot[yield_kg > 400]/plot_id", None, None),
    ("/data/@version", None, None),
    ("selected(/data/crops, 'cocoa')", None, ODK),
    ("count-selected(/data/crops) >= 2", None, ODK),
    ("coalesce(/data/income/remittances, 0) + /data/income/wage", None, ODK),
    ("if(/data/hh_size > 5, 'large', 'small')", None, ODK),
    ("instance('districts')/root/item[region = /data/region]/name", None, ODK),
    ("instance('districts')/root/item[name = current()]/label", "/data/district", ODK),
    ("position(..) = 1", "/data/hh/member[1]/name", ODK),
    ("/data/interview_date > '2020-01-01'", None, NOT_A_NUMBER),
    ("/data/hh/member[name = 'M5']/age + 1", None, None),
]


def _median_ns(call: Callable[[], object]) -> float:
    """Median time of one call over several batches, each long enough to time reliably."""
    started = time.perf_counter_ns()
    call()
    loops = max(1, min(20_000, BATCH_NS // max(1, time.perf_counter_ns() - started)))
    timings: list[float] = []
    for _ in range(BATCHES):
        start = time.perf_counter_ns()
        for _ in range(loops):
            call()
        timings.append((time.perf_counter_ns() - start) / loops)
    return statistics.median(timings)


def normalised(value: object) -> object:
    """A result both engines can be compared on: numbers as floats, node-sets as a tuple of
    string-values."""
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int | float | Decimal):
        number = float(value)
        return "NaN" if math.isnan(number) else number
    if isinstance(value, list):
        return tuple(_text(item) for item in value)
    raise TypeError(f"unexpected XPath result {value!r}")


def _text(item: object) -> str:
    if isinstance(item, Node):
        return item.string_value()
    if isinstance(item, elementpath.XPathNode):
        return str(item.string_value)
    raise TypeError(f"unexpected node {item!r}")


class Mismatch(RuntimeError):
    """Ours and elementpath disagree on an expression: timing them would mean nothing."""


Row = tuple[str, object, float, float | None, str | None]
"""(expression, its value, ours ns, elementpath ns or None, why elementpath did not run)"""


def measure() -> list[Row]:
    xml = household_xml()
    doc = load_document(xml)
    instances = {"districts": load_document(districts_xml())}
    tree = ET.ElementTree(ET.fromstring(xml))
    node_tree = elementpath.get_node_tree(tree)
    assert isinstance(node_tree, elementpath.DocumentNode)
    prepared = []
    for expr, where, skipped in CASES:
        node = resolve(doc, where) if where else doc.children[0]
        ours = partial(compile_expr(expr), Context(node, doc, node, instances))
        value = normalised(ours())
        theirs = None
        if skipped is None:
            token = elementpath.Selector(expr, parser=elementpath.XPath1Parser).root_token
            context = elementpath.XPathContext(node_tree, item=_item(node_tree, where))
            theirs = partial(token.evaluate, context)
            if normalised(theirs()) != value or normalised(theirs()) != value:
                raise Mismatch(
                    f"{expr!r}: ours gives {value!r}, elementpath {normalised(theirs())!r}"
                )
        prepared.append((expr, value, ours, theirs, skipped))
    return [
        (expr, value, _median_ns(ours), _median_ns(theirs) if theirs else None, skipped)
        for expr, value, ours, theirs, skipped in prepared
    ]


def _item(node_tree: elementpath.DocumentNode, where: str | None) -> elementpath.XPathNode:
    """elementpath's context node for `where`: the node tree's own node (an element handed
    in as the item has no parent there, so `..` finds nothing)."""
    if where is None:
        return node_tree.getroot()
    found = elementpath.select(node_tree, where, parser=elementpath.XPath1Parser)
    assert isinstance(found, list) and len(found) == 1
    node = node_tree.get_element_node(found[0])
    assert node is not None
    return node


def run() -> str:
    """Measure and return the results as a markdown table."""
    results = measure()
    lines = [
        "| expression | value (both) | ours (µs) | elementpath (µs) | speedup |",
        "|---|---|---:|---:|---:|",
    ]
    ratios: list[float] = []
    for expr, value, ours, theirs, skipped in results:
        text = expr.replace("|", "\\|")
        shown = _shown(value)
        if theirs is None:
            lines.append(f"| `{text}` | {shown} (ours) | {ours / 1000:.2f} | n/a: {skipped} | |")
            continue
        ratio = theirs / ours
        ratios.append(ratio)
        lines.append(
            f"| `{text}` | {shown} | {ours / 1000:.2f} | {theirs / 1000:.2f} | {ratio:.1f}x |"
        )
    geomean = math.exp(statistics.fmean(math.log(r) for r in ratios))
    verdict = "meets" if geomean >= GOAL else "misses"
    lines.append("")
    lines.append(
        f"Both engines returned the same value for each of the {len(ratios)} expressions"
        f" elementpath can run. Geometric-mean speedup over them: **{geomean:.1f}x**"
        f" ({verdict} the {GOAL:.0f}x goal)."
    )
    return "\n".join(lines)


def _shown(value: object) -> str:
    if isinstance(value, tuple):
        text = "[" + ", ".join(value) + "]"
    elif isinstance(value, float):
        text = f"{value:g}"
    else:
        text = repr(value) if isinstance(value, str) else str(value).lower()
    return "`" + (text if len(text) <= 30 else text[:27] + "...").replace("|", "\\|") + "`"


if __name__ == "__main__":
    print(run())

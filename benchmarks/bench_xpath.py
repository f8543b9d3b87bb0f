"""XPath evaluation speed: our compiled closures against elementpath's XPath 1.0 parser.

Both engines get the same household instance (a roster of 8 members, 5 plots,
crops, incomes). Parsing is done once, outside the timing, for both: ours through
`compile_expr`'s cache, elementpath through a compiled `Selector` whose token
tree runs on a node tree built once (only its `XPathContext` is made per run).
Expressions with ODK-only functions (`selected`, `coalesce`, `if`, `instance`,
`current`...) are timed for us only, as is any expression elementpath refuses (it
will not compare a date string with `>`). Goal: a geometric-mean speedup of at least 3x.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from xml.etree import ElementTree as ET

import elementpath

from forms.xpath import Context, compile_expr, load_document, resolve

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


# (expression, context path, runs on elementpath)
CASES: list[tuple[str, str | None, bool]] = [
    ("/data/consent = 'yes'", None, True),
    ("/data/consent = 'yes' and /data/hh_size > 3", None, True),
    (". >= 0 and . <= 120", "/data/head_age", True),
    (". > 0", "/data/hh_size", True),
    ("/data/hh_size", None, True),
    ("count(/data/hh/member)", None, True),
    ("count(/data/hh/member[age >= 16])", None, True),
    ("count(/data/hh/member[sex = 'f' and age < 15])", None, True),
    ("sum(/data/plots/plot/area_ha)", None, True),
    ("sum(/data/plots/plot/yield_kg) div count(/data/plots/plot)", None, True),
    ("/data/income/wage + /data/income/business + /data/income/other", None, True),
    ("(/data/income/wage + /data/income/business) * 12 div /data/hh_size", None, True),
    ("/data/income/wage mod 7", None, True),
    ("round(sum(/data/plots/plot/area_ha) * 2.47)", None, True),
    ("string-length(/data/meta/instanceID) > 0", None, True),
    ("concat(/data/region, '-', /data/district)", None, True),
    ("contains(/data/crops, 'cocoa')", None, True),
    ("not(/data/consent = 'no')", None, True),
    ("/data/hh/member[3]/name", None, True),
    ("/data/hh/member[last()]/age", None, True),
    ("/data/plots/plot[crop = 'cocoa']/area_ha", None, True),
    ("/data/plots/plot[area_ha > 2][1]/plot_id", None, True),
    ("../age >= 16", "/data/hh/member[4]/works", True),
    ("../../member[1]/age - ../age", "/data/hh/member[5]/works", True),
    ("count(../../plot[crop = 'cocoa'])", "/data/plots/plot[2]/crop", True),
    ("../area_ha * ../price", "/data/plots/plot[3]/yield_kg", True),
    ("/data/hh/member[age > 15]/income != ''", None, True),
    ("//plot[yield_kg > 400]/plot_id", None, True),
    ("/data/@version", None, True),
    ("selected(/data/crops, 'cocoa')", None, False),
    ("count-selected(/data/crops) >= 2", None, False),
    ("coalesce(/data/income/remittances, 0) + /data/income/wage", None, False),
    ("if(/data/hh_size > 5, 'large', 'small')", None, False),
    ("instance('districts')/root/item[region = /data/region]/name", None, False),
    ("instance('districts')/root/item[name = current()]/label", "/data/district", False),
    ("position(..) = 1", "/data/hh/member[1]/name", False),
    ("/data/interview_date > '2020-01-01'", None, True),
    ("/data/hh/member[name = 'M5']/age + 1", None, True),
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


def measure() -> list[tuple[str, float, float | None]]:
    xml = household_xml()
    doc = load_document(xml)
    instances = {"districts": load_document(districts_xml())}
    tree = ET.ElementTree(ET.fromstring(xml))
    node_tree = elementpath.get_node_tree(tree)
    results: list[tuple[str, float, float | None]] = []
    for expr, where, on_elementpath in CASES:
        node = resolve(doc, where) if where else doc.children[0]
        ctx = Context(node, doc, node, instances)
        fn = compile_expr(expr)
        ours = _median_ns(lambda fn=fn, ctx=ctx: fn(ctx))  # type: ignore[misc]
        theirs: float | None = None
        if on_elementpath:
            selector = elementpath.Selector(expr, parser=elementpath.XPath1Parser)
            item = _element(tree, where)
            token = selector.root_token
            try:
                token.get_results(elementpath.XPathContext(node_tree, item=item))
            except elementpath.ElementPathError:
                results.append((expr, ours, None))
                continue
            theirs = _median_ns(
                lambda t=token, i=item: t.get_results(elementpath.XPathContext(node_tree, item=i))  # type: ignore[misc]
            )
        results.append((expr, ours, theirs))
    return results


def _element(tree: ET.ElementTree[ET.Element | None], where: str | None) -> ET.Element:
    root = tree.getroot()
    if where is None:
        assert root is not None
        return root
    found = elementpath.select(tree, where, parser=elementpath.XPath1Parser)
    assert isinstance(found, list) and found
    element: ET.Element = found[0]
    return element


def run() -> str:
    """Measure and return the results as a markdown table."""
    results = measure()
    lines = [
        "| expression | ours (µs) | elementpath (µs) | speedup |",
        "|---|---:|---:|---:|",
    ]
    ratios: list[float] = []
    for expr, ours, theirs in results:
        text = expr.replace("|", "\\|")
        if theirs is None:
            lines.append(f"| `{text}` | {ours / 1000:.2f} | n/a | |")
            continue
        ratio = theirs / ours
        ratios.append(ratio)
        lines.append(f"| `{text}` | {ours / 1000:.2f} | {theirs / 1000:.2f} | {ratio:.1f}x |")
    geomean = math.exp(statistics.fmean(math.log(r) for r in ratios))
    verdict = "meets" if geomean >= GOAL else "misses"
    lines.append("")
    lines.append(
        f"Geometric-mean speedup over {len(ratios)} expressions: **{geomean:.1f}x** "
        f"({verdict} the {GOAL:.0f}x goal)."
    )
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())

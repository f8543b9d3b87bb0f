"""Navigation at any roster size: Next with a big repeat, and the test-drive on one.

- Next: the engine's part of an enumerator's Next (answer the screen's questions, step
  to the next screen, read it) through the first trees of a tree inventory whose repeat
  holds 1,000 instances, against the same walk when it holds 10 (the baseline, same
  run). Both walks must show the same screens. Goal: ≤ 2 ms per Next, ratio ≤ 1.5.
- Test-drive: `forms.testdrive.simulate` (what `fieldapp forms check` runs) on a plot
  survey whose roster of sampling points reaches 500 instances, against the same form
  with 10 points. Goal: ≥ 50 interviews/s at 500.
"""

from __future__ import annotations

import gc
import statistics
import time

from forms.definition import FormDefinition
from forms.session import FormSession
from forms.testdrive import simulate
from forms.xform_reader import read_xform
from forms.xlsform import compile_xlsform

NEXT_MS, NEXT_RATIO = 2.0, 1.5
INTERVIEWS_PER_S = 50.0
WALKED_TREES = 5
"""Trees whose screens the Next walk goes through (the same in both forms)."""

TREES = """
| survey |
| | type | name | label | relevant | calculation | repeat_count | constraint |
| | text | site | Site | | | | |
| | integer | n | How many trees? | | | | . <= 1000 |
| | begin repeat | tree | Tree | | | ${n} | |
| | calculate | number | | | position(..) | | |
| | select_one species | species | Species of tree ${number} | | | | |
| | decimal | dbh | Diameter (cm) | | | | . > 0 |
| | select_one yn | damaged | Damaged? | | | | |
| | select_multiple damage | damage | Damage | ${damaged} = 'yes' | | | |
| | text | other | Other damage | selected(${damage}, 'other') | | | |
| | calculate | basal | | | 0.00007854 * ${dbh} * ${dbh} | | |
| | end repeat | | | | | | |
| | text | remarks | Remarks | | | | |
| choices |
| | list_name | name | label |
| | species | teak | Teak |
| | species | mahogany | Mahogany |
| | yn | yes | Yes |
| | yn | no | No |
| | damage | fire | Fire |
| | damage | other | Other |
"""

ANSWERS: dict[str, object] = {
    "species": "teak",
    "dbh": 31.5,
    "damaged": "yes",
    "damage": ["fire", "other"],
    "other": "termites",
}

POINTS = """
| survey |
| | type | name | label | relevant | calculation | repeat_count |
| | text | plot | Plot name | | | |
| | calculate | points | | | {points} | |
| | begin repeat | point | Point | | | ${{points}} |
| | calculate | index | | | position(..) | |
| | calculate | sampled | | | ${{index}} mod 100 = 1 or ${{index}} = 2 | |
| | select_one cover | cover | Ground cover at point ${{index}} | ${{sampled}} = 'true' | | |
| | decimal | height | Vegetation height (cm) | ${{sampled}} = 'true' | | |
| | end repeat | | | | | |
| | calculate | covered | | | count(${{point}}[cover = 'bare']) | |
| | note | done | ${{covered}} bare points | | | |
| choices |
| | list_name | name | label |
| | cover | bare | Bare soil |
| | cover | grass | Grass |
"""


def definition(md: str, name: str) -> FormDefinition:
    return read_xform(compile_xlsform(md.encode("utf-8"), filename=name).xform)


def next_walk(trees: int) -> tuple[list[float], list[tuple[str, str]]]:
    """ms of each Next through the first trees, and the screens shown (kind, ref)."""
    session = FormSession.new(definition(TREES, "trees.md"))
    session.answer("/data/site", "North block")
    assert session.answer("/data/n", trees).ok
    index = session.jump("/data/tree[1]/species")
    beyond = f"/data/tree[{WALKED_TREES + 1}]/"
    shown: list[tuple[str, str]] = []
    times: list[float] = []
    gc.collect()
    while index is not None:
        started = time.perf_counter()
        screen = session.screen(index)
        if screen.ref.startswith(beyond):
            break
        for ref in screen.questions:
            value = ANSWERS.get(ref.rsplit("/", 1)[1])
            if value is not None:
                session.answer(ref, value)
        index = session.next(index)
        if index is not None:
            session.screen(index)
        times.append((time.perf_counter() - started) * 1000)
        shown.append((screen.kind, screen.ref))
    return times, shown


def next_row() -> str:
    small_times, small_screens = next_walk(10)
    large_times, large_screens = next_walk(1000)
    if small_screens != large_screens:
        raise AssertionError("the 10- and 1,000-tree walks showed different screens")
    small, large = statistics.median(small_times), statistics.median(large_times)
    ratio = large / small
    verdict = "ok" if large <= NEXT_MS and ratio <= NEXT_RATIO else "MISSED"
    return (
        f"| Next: tree inventory, 1,000 vs 10 trees ({len(large_screens)} screens each, "
        f"median) | {small:.3f} | {large:.3f} | {ratio:.2f}x | "
        f"≤{NEXT_MS:.0f} ms, ≤{NEXT_RATIO}x {verdict} |"
    )


def testdrive_rate(points: int, runs: int) -> tuple[float, int]:
    """Interviews per second, and how many finished."""
    form = definition(POINTS.format(points=points), f"points{points}.md")
    gc.collect()
    started = time.perf_counter()
    report = simulate(form, runs, seed=1)
    return runs / (time.perf_counter() - started), report.finished


def testdrive_row(runs: int = 20) -> str:
    small, small_done = testdrive_rate(10, runs)
    large, large_done = testdrive_rate(500, runs)
    if (small_done, large_done) != (runs, runs):
        raise AssertionError(f"unfinished interviews: {small_done}, {large_done} of {runs}")
    verdict = "ok" if large >= INTERVIEWS_PER_S else "MISSED"
    return (
        f"| test-drive: plot survey, 500 vs 10 points ({runs} interviews each, "
        f"interviews/s) | {small:.1f} | {large:.1f} | {small / large:.2f}x | "
        f"≥{INTERVIEWS_PER_S:.0f}/s {verdict} |"
    )


def run() -> str:
    lines = [
        "| measurement | baseline (10) | large | ratio | goal |",
        "|---|---:|---:|---:|---|",
        next_row(),
        testdrive_row(),
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())

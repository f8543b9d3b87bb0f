"""FormSession: opening a form, answering a question, and test-drive speed.

- Open: `read_xform` + `FormSession.new` against `ElementTree.fromstring` of the same
  XForm (expression caches cleared and garbage collected before every run). Goal
  ≤ 150 ms and ≤ 20x.
- Answer: one answer plus what the UI then shows for the current screen (label,
  relevance, required, problem of each of its questions) and the next screen, in a
  2,000-question form against a 50-question form. Goal: median ≤ 2 ms and a ratio ≤ 2.
- Test-drive: interviews per second, `simulate` filling the form with random valid answers
  screen by screen. On the living income questionnaire, against the same number of
  households answered by a scripted path (`living_income_households`: a session opened,
  every answer given in order, validated and written as XML); on all_question_types.xlsx,
  against the same number of sessions opened and written with no answer (the floor of
  any interview).
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from functools import partial
from xml.etree import ElementTree as ET

from benchmarks.bench_reading import SAMPLE, generated_xlsform, median_ms
from benchmarks.living_income_households import TABLES, definition, household_xml
from forms.definition import FormDefinition
from forms.session import FormSession
from forms.testdrive import simulate
from forms.xform_reader import read_xform
from forms.xlsform import compile_xlsform
from forms.xpath.evaluator import compile_expr
from forms.xpath.parser import clear_caches

OPEN_MS, OPEN_RATIO = 150.0, 20.0
ANSWER_MS, ANSWER_RATIO = 2.0, 2.0
REPEAT_INSTANCES = 30


def _clear_caches() -> None:
    """Cold expression caches; the previous run's session collected beforehand (its
    trees hold parent links), so a run does not pay for the one before it."""
    gc.collect()
    clear_caches()
    clear = getattr(compile_expr, "cache_clear", None)
    if clear is not None:
        clear()


def generated_xform(questions: int) -> str:
    """The reading benchmark's generated form, its repeat fixed at 30 instances."""
    md = generated_xlsform(questions).replace("| ${q2} |", f"| {REPEAT_INSTANCES} |")
    return compile_xlsform(md.encode("utf-8"), filename=f"generated{questions}.md").xform


def median_cpu_ms(action: Callable[[], object], repeat: int, before: Callable[[], None]) -> float:
    """Median CPU ms of this process: what the open costs whatever else the machine runs."""
    times = []
    for _ in range(repeat):
        before()
        started = time.process_time()
        action()
        times.append((time.process_time() - started) * 1000)
    return statistics.median(times)


def _open(xml: str) -> FormSession:
    return FormSession.new(read_xform(xml), allow_missing_attachments=True)


def open_rows() -> list[str]:
    forms = [
        (SAMPLE.name, compile_xlsform(SAMPLE).xform),
        ("generated, 2,000 questions, 30 repeats", generated_xform(2000)),
    ]
    rows = []
    for name, xml in forms:
        bare = median_ms(partial(ET.fromstring, xml), 7, lambda: None)
        opened = median_ms(partial(_open, xml), 7, _clear_caches)
        cpu = median_cpu_ms(partial(_open, xml), 7, _clear_caches)
        ratio = opened / bare
        verdict = "ok" if opened <= OPEN_MS and ratio <= OPEN_RATIO else "MISSED"
        rows.append(
            f"| open: {name} | {bare:.2f} | {opened:.2f} (CPU {cpu:.2f}) | {ratio:.1f}x | "
            f"≤{OPEN_MS:.0f} ms, ≤{OPEN_RATIO:.0f}x {verdict} |"
        )
    return rows


def answer_ms(definition: FormDefinition, ref: str, repeat: int = 200) -> float:
    """Median ms of one answer plus the screen state the UI reads afterwards."""
    session = FormSession.new(definition)
    index, screen = next((i, s) for i, s in enumerate(session.screens()) if ref in s.questions)
    values = iter(range(10**9))

    def step() -> None:
        session.answer(ref, next(values) % 500)
        following = session.next(index)
        assert following is not None
        session.screen(following)
        for question in screen.questions:
            node = session.node(question)
            session.label(question)
            session.is_required(question)
            session.problem_of(node)
            _ = node.relevant

    step()
    return median_ms(step, repeat, lambda: None)


def answer_rows() -> list[str]:
    small = read_xform(generated_xform(50))
    large = read_xform(generated_xform(2000))
    ref = "/data/g0/q28"
    small_ms, large_ms = answer_ms(small, ref), answer_ms(large, ref)
    ratio = large_ms / small_ms
    verdict = "ok" if large_ms <= ANSWER_MS and ratio <= ANSWER_RATIO else "MISSED"
    return [
        f"| answer + screen state: 2,000 vs 50 questions | {small_ms:.3f} | {large_ms:.3f} | "
        f"{ratio:.1f}x | ≤{ANSWER_MS:.0f} ms, ≤{ANSWER_RATIO:.0f}x {verdict} |"
    ]


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


TESTDRIVE_NOTE = (
    "A test-drive interview that is not finished stopped early (a random answer ended it,"
    " e.g. consent refused, or no valid answer was found), so it answered less than the"
    " scripted path, which fills every section."
)


def _blank_interviews(definition: FormDefinition, runs: int) -> None:
    for _ in range(runs):
        FormSession.new(definition, allow_missing_attachments=True).to_xml()


def testdrive_rows(living_income_runs: int = 40, sample_runs: int = 200) -> list[str]:
    """Test-drive seconds and interviews/s on each form, against its baseline; then a note
    if some interviews did not finish."""
    living = definition()
    attachments = {table.name: table.read_bytes() for table in TABLES}
    sample = read_xform(compile_xlsform(SAMPLE).xform)
    rows, unfinished = [], False
    for name, runs, drive, baseline, what in (
        (
            "living income questionnaire",
            living_income_runs,
            partial(simulate, living, living_income_runs, 1, attachments=attachments),
            lambda: [household_xml(i) for i in range(living_income_runs)],
            "answered by a scripted path",
        ),
        (
            SAMPLE.name,
            sample_runs,
            partial(simulate, sample, sample_runs, 1),
            partial(_blank_interviews, sample, sample_runs),
            "opened and written, no answer",
        ),
    ):
        base = _timed(baseline)
        started = time.perf_counter()
        report = drive()
        took = time.perf_counter() - started
        unfinished = unfinished or report.finished < runs
        rows.append(
            f"| test-drive: {name}, {runs} interviews, {report.finished} finished (baseline:"
            f" {runs} {what}) | {base * 1000:.0f} ({runs / base:.1f}/s) |"
            f" {took * 1000:.0f} ({runs / took:.1f}/s) | {took / base:.2f}x |"
            f" none set; 200 runs take {200 * took / runs:.2f} s |"
        )
    return [*rows, "", TESTDRIVE_NOTE] if unfinished else rows


def run() -> str:
    lines = [
        "| measurement | baseline ms | ms | ratio | goal |",
        "|---|---:|---:|---:|---|",
        *open_rows(),
        *answer_rows(),
        *testdrive_rows(),
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())

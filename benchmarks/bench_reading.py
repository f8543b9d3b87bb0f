"""Reading an XForm into a definition, against a bare ElementTree parse of the same XML.

The XForms are compiled once, outside the timing. Expression caches are cleared
before every `read_xform` run, so each run parses every expression (cold caches).
Goal: `read_xform` within 10x the bare parse.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree as ET

from forms.xform_reader import read_xform
from forms.xlsform import compile_xlsform
from forms.xpath.parser import clear_caches

SAMPLE = Path(__file__).resolve().parents[1] / "tests/fixtures/xlsforms/all_question_types.xlsx"
GOAL = 10.0


def generated_xlsform(questions: int = 2000) -> str:
    """An XLSForm (markdown) of `questions` mixed questions in two languages.

    Relevance, constraints and calculations refer to earlier questions; every 100
    questions form a group, and 50 questions sit in a repeat.
    """
    head = (
        "| type | name | label::English (en) | label::French (fr) | relevant | constraint "
        "| calculation | choice_filter | repeat_count |"
    )
    rows = ["| survey |", f"| {head}"]

    def row(*cells: str) -> None:
        rows.append("| | " + " | ".join(cells) + " |")

    kinds = ("integer", "text", "select_one yn", "decimal", "calculate", "date", "select_one city")
    for i in range(questions):
        if i % 100 == 0:
            if i:
                row("end_group", *[""] * 8)
            row("begin_group", f"g{i}", f"Group {i}", f"Groupe {i}", *[""] * 5)
        if i == 1000:
            row("begin_repeat", "rep", "Repeat", "Répétition", "", "", "", "", "${q2}")
        if i == 1050:
            row("end_repeat", *[""] * 8)
        kind = kinds[i % len(kinds)]
        prev = f"${{q{i - 1}}}" if i else ""
        relevant = f"{prev} != ''" if i and i % 3 == 0 else ""
        constraint = ". >= 0 and . < 1000" if kind in ("integer", "decimal") else ""
        calculation = f"coalesce({prev}, 0) + 1" if kind == "calculate" and i else ""
        if kind == "calculate" and not i:
            calculation = "1"
        choice_filter = f"state = {prev} or {prev} = ''" if kind == "select_one city" else ""
        label = "" if kind == "calculate" else f"Question {i} after {prev}"
        label_fr = "" if kind == "calculate" else f"Question {i}"
        row(kind, f"q{i}", label, label_fr, relevant, constraint, calculation, choice_filter, "")
    row("end_group", *[""] * 8)
    rows += [
        "| choices |",
        "| | list_name | name | label::English (en) | label::French (fr) | state |",
        "| | yn | yes | Yes | Oui | |",
        "| | yn | no | No | Non | |",
        "| | city | a | A | A | yes |",
        "| | city | b | B | B | no |",
    ]
    return "\n".join(rows) + "\n"


def median_ms(action: Callable[[], object], repeat: int, before: Callable[[], None]) -> float:
    times = []
    for _ in range(repeat):
        before()
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _clear_caches() -> None:
    clear_caches()


def measure(xml: str, repeat: int = 7) -> tuple[float, float]:
    """(bare parse ms, read_xform ms), medians of `repeat` runs."""
    bare = median_ms(lambda: ET.fromstring(xml), repeat, lambda: None)
    read = median_ms(lambda: read_xform(xml), repeat, _clear_caches)
    return bare, read


def forms() -> list[tuple[str, str]]:
    generated = compile_xlsform(generated_xlsform().encode("utf-8"), filename="generated.md")
    return [
        (SAMPLE.name, compile_xlsform(SAMPLE).xform),
        ("generated, 2,000 questions", generated.xform),
    ]


def run() -> str:
    lines = [
        "| form | XML size | bare parse ms | read_xform ms | ratio | goal |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, xml in forms():
        bare, read = measure(xml)
        ratio = read / bare
        verdict = "ok" if ratio <= GOAL else "MISSED"
        lines.append(
            f"| {name} | {len(xml) // 1024} KiB | {bare:.2f} | {read:.2f} | "
            f"{ratio:.1f}x | ≤{GOAL:.0f}x {verdict} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())

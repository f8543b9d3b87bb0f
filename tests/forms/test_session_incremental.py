"""Answering one question re-evaluates what depends on it, not the whole form."""

from __future__ import annotations

from session_support import session_of


def wide_form(n: int) -> str:
    rows = ["| survey |", "| | type | name | label | calculation | relevant |"]
    rows.append("| | integer | x | X | | |")
    for i in range(n):
        rows.append(f"| | integer | q{i} | Q{i} | | |")
        rows.append(f"| | calculate | c{i} | | ${{q{i}}} * 2 | |")
        rows.append(f"| | text | r{i} | R{i} | | ${{c{i}}} > 4 |")
    rows.append("| | calculate | fromx | | ${x} + 1 | |")
    rows.append("| | begin repeat | rep | Rep | | |")
    rows.append("| | integer | v | V | | |")
    rows.append("| | calculate | w | | ../v * 3 | |")
    rows.append("| | end repeat | | | | |")
    return "\n".join(rows)


def test_answer_costs_its_dependents_only() -> None:
    s = session_of(wide_form(100))
    s.evaluations = 0
    s.answer("/data/q7", 3)
    assert s.value("/data/c7") == "6" and s.is_relevant("/data/r7")
    assert s.evaluations == 2, "c7, then the relevance of r7"
    s.evaluations = 0
    s.answer("/data/x", 1)
    assert s.evaluations == 1


def test_repeat_answer_recomputes_its_own_instance() -> None:
    s = session_of(wide_form(5))
    for _ in range(20):
        s.add_repeat("/data/rep")
    s.evaluations = 0
    s.answer("/data/rep[12]/v", 2)
    assert s.value("/data/rep[12]/w") == "6"
    assert s.evaluations == 1

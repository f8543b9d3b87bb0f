"""`python -m benchmarks.run NAME`: one section of docs/benchmarks.md rerun, the others kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import run


def test_splice_replaces_only_the_named_section_and_appends_a_new_one() -> None:
    doc = "\n## A\n\nold a\n\n## B\n\nold b\n"
    assert run.splice(doc, "A", "\n## A\n\nnew a\n") == "\n## A\n\nnew a\n\n## B\n\nold b\n"
    assert run.splice(doc, "B", "\n## B\n\nnew b\n") == "\n## A\n\nold a\n\n## B\n\nnew b\n"
    assert run.splice(doc, "C", "\n## C\n\nc\n") == doc + "\n## C\n\nc\n"


def test_rerunning_one_section_keeps_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = tmp_path / "benchmarks.md"
    monkeypatch.setattr(run, "DOCS", doc)
    calls: list[str] = []

    def fake(name: str) -> tuple[str, object]:
        return name, lambda: calls.append(name) or f"table {name} {len(calls)}"

    monkeypatch.setattr(run, "BENCHMARKS", tuple(fake(n) for n in run.SECTIONS))
    run.main([])
    first = doc.read_text(encoding="utf-8")
    assert calls == list(run.SECTIONS)
    run.main(["exports"])
    second = doc.read_text(encoding="utf-8")
    assert calls[-1] == "exports" and len(calls) == len(run.SECTIONS) + 1
    assert f"table exports {len(calls)}" in second and "table exports 7" not in second
    assert (
        first.replace("table exports 7", f"table exports {len(calls)}").split("\n## ", 1)[1]
        == second.split("\n## ", 1)[1]
    )
    with pytest.raises(SystemExit, match="unknown benchmark 'nope'"):
        run.main(["nope"])

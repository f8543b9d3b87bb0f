"""`python -m benchmarks.run NAME`: one section of docs/benchmarks.md rerun, the others kept
byte for byte (their stamps too); each section says when, on which commit and under what
load it was measured. And the XPath bench compares both engines' values before timing."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from benchmarks import bench_xpath, run

STAMP = re.compile(
    r"Measured (\S+) on commit (\S+), Python [\d.]+, \S+; load average \(1 min\) [\d.]+ before,"
    r" [\d.]+ after, on \d+ cores\.\n"
)


def test_splice_replaces_only_the_named_section_and_appends_a_new_one() -> None:
    doc = "\n## A\n\nold a\n\n## B\n\nold b\n"
    assert run.splice(doc, "A", "\n## A\n\nnew a\n") == "\n## A\n\nnew a\n\n## B\n\nold b\n"
    assert run.splice(doc, "B", "\n## B\n\nnew b\n") == "\n## A\n\nold a\n\n## B\n\nnew b\n"
    assert run.splice(doc, "C", "\n## C\n\nc\n") == doc + "\n## C\n\nc\n"


@pytest.fixture
def fake_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every section replaced by a table naming it and its call number; a clock that moves
    one hour per stamp and a commit that changes between runs."""
    monkeypatch.setattr(run, "DOCS", tmp_path / "benchmarks.md")
    calls: list[str] = []

    def fake(name: str) -> tuple[str, Callable[[], str]]:
        return f"Section {name}", lambda: calls.append(name) or f"table {name} {len(calls)}"

    hours = itertools.count()
    start = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    monkeypatch.setattr(run, "BENCHMARKS", tuple(fake(n) for n in run.SECTIONS))
    monkeypatch.setattr(run, "now", lambda: start + dt.timedelta(hours=next(hours)))
    monkeypatch.setattr(run, "commit", lambda: f"c{len(calls)}")
    yield calls


def sections(text: str) -> dict[str, str]:
    return {part.split("\n", 1)[0]: part for part in text.split("\n## ")[1:]}


def test_each_section_carries_its_own_date_commit_and_load(fake_runs: list[str]) -> None:
    run.main([])
    text = run.DOCS.read_text(encoding="utf-8")
    assert text.startswith(run.HEADER) and "Latest run" not in text
    assert fake_runs == list(run.SECTIONS)
    stamps = STAMP.findall(text)
    assert len(stamps) == len(run.SECTIONS)
    assert [when for when, _ in stamps] == [
        f"2026-12-01T{hour:02d}:00:00+00:00" for hour in range(len(run.SECTIONS))
    ]
    assert [commit for _, commit in stamps] == [f"c{n}" for n in range(1, len(run.SECTIONS) + 1)]


def test_rerunning_one_section_keeps_the_others_byte_for_byte(fake_runs: list[str]) -> None:
    run.main([])
    first = sections(run.DOCS.read_text(encoding="utf-8"))
    run.main(["exports", "xpath"])
    second = sections(run.DOCS.read_text(encoding="utf-8"))
    assert fake_runs[len(run.SECTIONS) :] == ["exports", "xpath"]
    assert list(second) == list(first)
    after = len(run.SECTIONS)  # the clock's hour and the number of calls so far
    rerun = {
        "Section exports": (f"table exports {after + 1}", f"T{after:02d}:00", f"c{after + 1}"),
        "Section xpath": (f"table xpath {after + 2}", f"T{after + 1:02d}:00", f"c{after + 2}"),
    }
    for title in first:
        if title in rerun:
            table, hour, commit = rerun[title]
            ((when, stamped),) = STAMP.findall(second[title])
            assert table in second[title] and hour in when and stamped == commit
        else:
            assert second[title] == first[title]
    with pytest.raises(SystemExit, match="unknown benchmark 'nope'"):
        run.main(["nope"])


def test_a_full_run_drops_a_section_no_longer_measured(fake_runs: list[str]) -> None:
    run.DOCS.write_text(run.HEADER + "\n## Gone\n\nold table\n", encoding="utf-8")
    run.main(["xpath"])
    assert "## Gone" in run.DOCS.read_text(encoding="utf-8")
    run.main([])
    assert "## Gone" not in run.DOCS.read_text(encoding="utf-8")


def test_the_commit_is_this_checkout_and_says_when_the_tree_differs() -> None:
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert run.commit() in (head, f"{head}+changes")


def test_the_table_being_written_does_not_mark_the_commit_as_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run rewrites docs/benchmarks.md after each section: that alone is not a change."""
    repo = tmp_path / "repo"
    (repo / "docs").mkdir(parents=True)
    (repo / "docs" / "benchmarks.md").write_text("old\n", encoding="utf-8")
    (repo / "code.py").write_text("x = 1\n", encoding="utf-8")
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "start"], check=True)
    monkeypatch.chdir(repo)
    monkeypatch.setattr(run, "DOCS", repo / "docs" / "benchmarks.md")
    run.DOCS.write_text("new section\n", encoding="utf-8")
    assert not run.commit().endswith("+changes")
    (repo / "code.py").write_text("x = 2\n", encoding="utf-8")
    assert run.commit().endswith("+changes")


def test_the_xpath_bench_stops_naming_an_expression_the_engines_disagree_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bench_xpath, "CASES", [("count(/data/hh/member)", None, None)])
    monkeypatch.setattr(bench_xpath, "compile_expr", lambda expr: lambda context: 7.0)
    with pytest.raises(bench_xpath.Mismatch, match=r"'count\(/data/hh/member\)': ours gives 7.0"):
        bench_xpath.measure()


def test_the_xpath_bench_evaluates_relative_paths_from_the_same_node_in_both_engines(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """elementpath given an element outside its node tree found no parent: `..` gave ()."""
    cases = [("../area_ha * ../price", "/data/plots/plot[3]/yield_kg", None),
             ("/data/hh/member[3]/name", None, None), ("/data/@version", None, None)]  # fmt: skip
    monkeypatch.setattr(bench_xpath, "CASES", cases)
    monkeypatch.setattr(bench_xpath, "BATCHES", 1)
    monkeypatch.setattr(bench_xpath, "BATCH_NS", 1)
    rows = bench_xpath.measure()
    assert [(expr, value) for expr, value, *_ in rows] == [
        ("../area_ha * ../price", 2.0 * 2.7),
        ("/data/hh/member[3]/name", ("M2",)),
        ("/data/@version", ("2024",)),
    ]
    assert all(theirs is not None for _, _, _, theirs, _ in rows)

"""`fieldapp forms check`: a printed report, exit 1 on errors, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldapp.cli import main

CLEAN = """| survey |
| | type    | name | label | constraint |
| | integer | a    | A     | . < 100    |
"""
IMPOSSIBLE = """| survey |
| | type    | name | label | constraint       |
| | integer | a    | A     | . > 10 and . < 5 |
"""


def run(tmp_path: Path, text: str, *args: str) -> int:
    form = tmp_path / "form.md"
    form.write_text(text, encoding="utf-8")
    return main(["forms", "check", str(form), "--runs", "3", *args])


def test_a_clean_form_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(tmp_path, CLEAN) == 0
    out = capsys.readouterr().out
    assert "Test-drive of form.md: 0 errors" in out
    assert "Simulated 3 interviews (seed 1): 3 finished" in out


def test_an_error_exits_1_with_the_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(tmp_path, IMPOSSIBLE, "--seed", "9") == 1
    out = capsys.readouterr().out
    assert "Constraints (1)" in out
    assert "sheet 'survey', row 2, column 'constraint'" in out


def test_a_missing_file_is_a_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["forms", "check", str(tmp_path / "none.xlsx")]) == 1
    assert "Traceback" not in capsys.readouterr().out


def test_help_has_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["forms", "check", "--help"])
    out = capsys.readouterr().out
    assert "fieldapp forms check household.xlsx" in out and "--runs" in out


def test_a_bad_property_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        run(tmp_path, CLEAN, "--property", "nonsense")
    assert exit_info.value.code == 2


def test_save_writes_each_interview_by_instance_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "rehearsal"
    assert run(tmp_path, CLEAN, "--save", str(out)) == 0
    saved = sorted(p.name for p in out.iterdir())
    assert len(saved) == 3 and all(n.startswith("uuid-") and n.endswith(".xml") for n in saved)
    assert f"Saved 3 interviews as OpenRosa instance XML in {out}" in capsys.readouterr().out


def test_save_to_a_path_that_cannot_be_written_is_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "taken"
    blocker.write_text("", encoding="utf-8")
    target = blocker / "out"
    assert run(tmp_path, CLEAN, "--save", str(target)) == 1
    captured = capsys.readouterr()
    assert f"cannot be saved in '{target}'" in captured.err
    assert "Traceback" not in captured.err and "Test-drive of" not in captured.out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["form.md", "taken"]

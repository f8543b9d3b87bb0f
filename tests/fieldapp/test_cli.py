"""The `fieldapp` command line: compile and show forms; errors as messages, never tracebacks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from fieldapp.cli import main

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "assets" / "forms" / "demo_household.md"


def test_compile_writes_the_xform(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "demo.xml"
    assert main(["forms", "compile", str(DEMO), "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith("<?xml")
    assert "Demo household income (demo_household)" in capsys.readouterr().out


def test_bundled_compiled_demo_matches_its_source(tmp_path: Path) -> None:
    out = tmp_path / "demo.xml"
    assert main(["forms", "compile", str(DEMO), "-o", str(out)]) == 0
    bundled = (ROOT / "assets" / "forms" / "demo_household.xml").read_text(encoding="utf-8")
    assert out.read_text(encoding="utf-8") == bundled, "recompile assets/forms/demo_household.xml"


def test_compile_error_names_the_row_and_exits_1(
    real_xlsforms: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["forms", "compile", str(real_xlsforms / "ipa_household_survey.xlsx")]) == 1
    err = capsys.readouterr().err
    assert "sheet 'choices', row 71" in err and "allow_choice_duplicates" in err


def test_compile_option_allows_choice_duplicates(real_xlsforms: Path, tmp_path: Path) -> None:
    out = tmp_path / "ipa.xml"
    args = ["forms", "compile", str(real_xlsforms / "ipa_household_survey.xlsx"), "-o", str(out)]
    assert main([*args, "--allow-choice-duplicates"]) == 0
    assert out.exists()


def test_show_outlines_the_demo_form(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["forms", "show", str(DEMO)]) == 0
    out = capsys.readouterr().out
    assert "Demo household income" in out
    assert "member [repeat]" in out
    assert "age [input:int] * Age of ${../name} (years)" in out


def test_show_unknown_language_is_a_message(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["forms", "show", str(DEMO), "--language", "Klingon"]) == 1
    assert "no language 'Klingon'" in capsys.readouterr().err


def test_installed_command_prints_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"PK\x03\x04 broken")
    result = subprocess.run(
        [sys.executable, "-m", "fieldapp.cli", "forms", "compile", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "broken.xlsx: The file looks like an Excel workbook but is damaged" in result.stderr


def test_show_surveycto_form_after_rewrites(
    real_xlsforms: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ipa = str(real_xlsforms / "ipa_household_survey.xlsx")
    assert main(["forms", "show", ipa, "--allow-choice-duplicates"]) == 0
    out = capsys.readouterr().out
    assert "Household Survey" in out
    assert "SurveyCTO's function index() was turned into position(..)" in out

"""The screenshots' folder: FIELDAPP_SCREENSHOTS when set, else a temporary folder."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from screenshot_support import SCREENSHOTS_VARIABLE, screenshot_folder


def test_without_the_variable_screenshots_go_to_the_temporary_folder(tmp_path: Path) -> None:
    temporary = tmp_path / "shots"
    assert screenshot_folder({}, temporary) == temporary
    assert temporary.is_dir()
    assert screenshot_folder({SCREENSHOTS_VARIABLE: "  "}, temporary) == temporary


def test_the_variable_names_the_folder_and_it_is_created(tmp_path: Path) -> None:
    named = tmp_path / "docs" / "screenshots"
    folder = screenshot_folder({SCREENSHOTS_VARIABLE: str(named)}, tmp_path / "unused")
    assert folder == named and named.is_dir()
    assert not (tmp_path / "unused").exists()


def test_a_file_named_by_the_variable_is_refused_and_left_alone(tmp_path: Path) -> None:
    taken = tmp_path / "notes.txt"
    taken.write_text("keep me")
    with pytest.raises(
        NotADirectoryError, match=re.escape(f"{SCREENSHOTS_VARIABLE}={taken}: this is a file")
    ):
        screenshot_folder({SCREENSHOTS_VARIABLE: str(taken)}, tmp_path / "unused")
    assert taken.read_text() == "keep me"

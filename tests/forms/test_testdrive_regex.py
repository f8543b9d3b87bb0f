"""The test-drive answers regex-constrained questions with strings that match."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from forms.open_form import open_form
from forms.testdrive import simulate
from forms.testdrive_regex import patterns_in, sample

DEMO = Path(__file__).resolve().parents[2] / "assets" / "forms" / "demo_household.md"


@pytest.mark.parametrize(
    "pattern",
    [
        "^[A-Z]{2}-[0-9]{4}$",
        r"\d{10}",
        r"[a-z]+@[a-z]+\.(com|org)",
        "[^0-9]{3}",
        r"^\w{3,8}$",
        "(yes|no)",
        "a*b?c+",
    ],
)
def test_sample_matches_the_whole_pattern(pattern: str) -> None:
    for seed in range(5):
        text = sample(pattern, random.Random(seed))
        assert text is not None and re.fullmatch(pattern, text), (pattern, text)


@pytest.mark.parametrize("pattern", [r"(a)\1", "(?<=x)y", "["])
def test_patterns_we_cannot_build_give_none(pattern: str) -> None:
    assert sample(pattern, random.Random(1)) is None


def test_patterns_found_in_a_constraint() -> None:
    text = "regex(., '^[A-Z]{2}$') and string-length(.) > 1 or regex(. , \"x+\")"
    assert patterns_in(text) == ["^[A-Z]{2}$", "x+"]


def test_demo_form_with_an_id_format_passes_the_test_drive() -> None:
    report = simulate(open_form(DEMO), runs=5, seed=3)
    assert report.errors == [], report.render()

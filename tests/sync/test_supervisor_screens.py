"""What the submission screen says about time per section, from the view the review API sends."""

from __future__ import annotations

from typing import Any

import flet as ft
import pytest

from sync.server.supervisor_ui.screens import _section_times
from sync.server.supervisor_ui.widgets import duration_text, size_text

SECTIONS = [
    {"ref": "/data", "label": "Site visit", "seconds": None},
    {"ref": "/data/farm", "label": "Farm", "seconds": 100.4},
    {"ref": "/data/plot", "label": "Plots", "seconds": None},
]


def lines(timing: str, files: list[str]) -> list[str]:
    view: dict[str, Any] = {
        "timing_source": timing,
        "files": [{"name": n} for n in files],
        "rendered": {"sections": SECTIONS},
    }
    shown = _section_times(view)
    assert all(isinstance(c, ft.Text) for c in shown)
    return [str(c.value) for c in shown]  # type: ignore[attr-defined]


def test_time_per_section_from_the_audit_log() -> None:
    assert lines("audit.csv paradata", ["audit.csv"]) == [
        "Time per section (from audit.csv):",
        "  Farm: 1 min 40 s",
        "  Plots: nothing recorded",
    ]


@pytest.mark.parametrize(
    ("timing", "files", "why"),
    [
        ("start/end fields", [], "no audit.csv with this submission"),
        ("none", ["photo.jpg"], "no audit.csv with this submission"),
        ("start/end fields", ["audit.csv"], "audit.csv not received yet"),
    ],
)
def test_without_an_audit_log_it_says_no_paradata_and_why(
    timing: str, files: list[str], why: str
) -> None:
    assert lines(timing, files) == [f"Time per section: no paradata ({why})"]


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(0.4, "0 s"), (59.6, "1 min 0 s"), (100, "1 min 40 s"), (3725, "1 h 2 min")],
)
def test_durations_read_as_a_person_would_say_them(seconds: float, shown: str) -> None:
    assert duration_text(seconds) == shown


@pytest.mark.parametrize(
    ("size", "shown"),
    [(57, "57 B"), (1200, "1.2 kB"), (124_500, "124.5 kB"), (10_400_000, "10.4 MB")],
)
def test_file_sizes(size: int, shown: str) -> None:
    assert size_text(size) == shown

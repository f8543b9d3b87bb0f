"""What the submission screen says about time per section, and in what order it shows answers,
notes and tables, from the view the review API sends."""

from __future__ import annotations

from typing import Any, cast

import flet as ft
import pytest

from forms.xform_reader import read_xform
from forms.xlsform import compile_xlsform
from sync.server.review.render import render
from sync.server.supervisor_ui.answers_view import sections
from sync.server.supervisor_ui.api import ReviewApi
from sync.server.supervisor_ui.comments import CommentBook
from sync.server.supervisor_ui.media import Attachments
from sync.server.supervisor_ui.repeat_tables import TAP_TO_COMMENT
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


def _texts(control: ft.Control) -> list[str]:
    """The texts a control shows, in order (a button by its name)."""
    if isinstance(control, ft.Text):
        return [str(control.value)]
    if isinstance(control, ft.Semantics):
        return [f"[{control.label}]"]
    if isinstance(control, ft.Container):
        return _texts(control.content) if control.content is not None else []
    if isinstance(control, ft.Row | ft.Column):
        return [t for c in control.controls for t in _texts(c)]
    return []


def test_answers_notes_and_a_table_show_in_the_forms_order() -> None:
    """The repeat's table sits between the answers around it (`table_places`), a note reads as
    its text alone, and every answer has its Comment button but no comment field yet."""

    def answer(name: str, label: str, display: str, kind: str = "input") -> dict[str, Any]:
        return {"ref": f"/data/g/{name}", "label": label, "value": display, "display": display,
                "kind": kind, "gps": None, "attachment": None}  # fmt: skip

    table = {"ref": "/data/g/m", "label": "Members", "columns": ["Name"],
             "column_refs": ["/data/g/m/name"], "rows": [["Ama"]], "column_kinds": ["text"],
             "row_refs": ["/data/g/m[1]"], "row_labels": ["Member 1"], "nested": []}  # fmt: skip
    section = {"ref": "/data/g", "label": "Household", "seconds": None, "tables": [table],
               "table_places": [1],
               "answers": [answer("size", "People", "1"),
                           answer("total", "1 person listed", "", "note")]}  # fmt: skip
    view = {"rendered": {"sections": [section]}, "gps": {"points": []}, "gps_in_repeats": []}
    comments = CommentBook()
    files = Attachments(cast(ft.Page, None), cast(ReviewApi, None), "uuid:x", [])
    said = [t for c in sections(view, files, comments) for t in _texts(c)]
    assert said == ["Household", "People: 1", "[Comment on People]", "Members", "Name",
                    "[Member 1 › Name: Ama]", TAP_TO_COMMENT, "1 person listed",
                    "[Comment on 1 person listed]"]  # fmt: skip
    assert comments.fields == {}


UNLABELLED = """
| survey | type | name | label |
| | begin group | identification | |
| | text | hh_id | Household ID |
| | text | village | Village |
| | end group | | |
| | begin group | farm | Farm |
| | integer | plots | Plots |
| | end group | | |
| settings | form_id | title |
| | unlabelled | Unlabelled |
"""


def test_an_unlabelled_group_shows_its_questions_without_a_heading() -> None:
    """ODK Collect shows no group header for a group without a label (FormEntryActivity's
    group breadcrumb takes labels only): the review shows no `identification` heading, the
    group's questions still in the form's order before the next group's heading."""
    definition = read_xform(compile_xlsform(UNLABELLED.encode(), filename="unlabelled.md").xform)
    xml = (
        '<unlabelled id="unlabelled"><identification><hh_id>AB-1</hh_id>'
        "<village>Kpong</village></identification><farm><plots>3</plots></farm>"
        "<meta><instanceID>uuid:u-1</instanceID></meta></unlabelled>"
    )
    rendered = render(xml, definition).model_dump()
    view = {"rendered": rendered, "gps": {"points": []}, "gps_in_repeats": []}
    files = Attachments(cast(ft.Page, None), cast(ReviewApi, None), "uuid:u-1", [])
    said = [t for c in sections(view, files, CommentBook()) for t in _texts(c)]
    assert said == ["Household ID: AB-1", "[Comment on Household ID]", "Village: Kpong",
                    "[Comment on Village]", "Farm", "Plots: 3", "[Comment on Plots]"]  # fmt: skip
    rendered["sections"][0]["seconds"] = 42.0  # its time still names it
    times = _section_times({"timing_source": "audit.csv paradata", "files": [],
                            "rendered": rendered})  # fmt: skip
    assert [str(t.value) for t in times][1] == "  identification: 42 s"  # type: ignore[attr-defined]

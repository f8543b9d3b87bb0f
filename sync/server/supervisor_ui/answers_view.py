"""The answers of a submission as its enumerator saw them: each section's answers and repeat
tables in the form's order, a note by its text alone, photos, files and GPS in place, and a
Comment button on each answer that opens a comment field below it (the field is there only
once asked for, so a long interview is not a column of empty boxes)."""

from __future__ import annotations

from typing import Any

import flet as ft

from sync.server.supervisor_ui.comments import CommentBook
from sync.server.supervisor_ui.gps_map import gps_block
from sync.server.supervisor_ui.media import Attachments
from sync.server.supervisor_ui.repeat_tables import repeat_tables
from sync.server.supervisor_ui.widgets import TAP, duration_text, text


def sections(view: dict[str, Any], files: Attachments, comments: CommentBook) -> list[ft.Control]:
    """Each section's answers and repeat tables in the form's order; each answer with a
    button that opens a comment field on it."""
    points = {p["ref"]: p for p in view["gps"]["points"]}
    in_repeats = {p["ref"]: p for p in view["gps_in_repeats"]}
    lines: list[ft.Control] = []
    for section in view["rendered"]["sections"]:
        spent = section["seconds"]
        took = f" ({duration_text(spent)})" if spent is not None else ""
        if section["label"]:  # an unlabelled group: its questions with no heading
            lines.append(text(section["label"] + took, bold=True, size=18))
        for at, answer in enumerate([*section["answers"], None]):
            for table, place in zip(section["tables"], section["table_places"], strict=True):
                if place == at:
                    lines += repeat_tables(table, files, in_repeats, comments)
            if answer is not None:
                lines += _answer(answer, points, view["gps"], files, comments)
    return lines


def _answer(
    answer: dict[str, Any],
    points: dict[str, Any],
    gps: dict[str, Any],
    files: Attachments,
    comments: CommentBook,
) -> list[ft.Control]:
    """The answer as the enumerator saw it (a note by its text alone), a Comment button,
    and below it the comment field once the button is pressed."""
    label, ref = answer["label"], answer["ref"]
    shown: list[ft.Control]
    if ref in points:
        shown = [gps_block(label, points[ref], gps)]
    elif answer["attachment"]:
        shown = [text(f"{label}:"), files.show(answer["attachment"])]
    elif answer["kind"] == "note":
        shown = [ft.Text(label, size=15, italic=True)]
    else:
        shown = [text(f"{label}: {answer['display']}")]
    place = ft.Column(spacing=0)
    name = f"Comment on {label}"

    def open_field() -> None:
        if ref not in comments.fields:
            place.controls.append(comments.field(ref, name))
            place.update()

    pressed = ft.TextButton(
        content="Comment",
        tooltip=name,
        height=TAP,
        icon=ft.Icons.COMMENT_OUTLINED,
        on_click=lambda _e: open_field(),
    )
    action = ft.Semantics(  # read out (and found) by what it comments on
        content=pressed, label=name, button=True, exclude_semantics=True
    )
    line = ft.Row([ft.Container(shown[-1], expand=True), action])
    return [*shown[:-1], ft.Column([line, place], spacing=0)]

"""The end of an interview, as ODK Collect's end screen (`FormEndView`: the form's name, Save
as draft and Finalize) with one addition: how many questions still need an answer or a
correction, and a button to the first, where Collect finds them only once Finalize is tapped.
The answers themselves are reviewed in Go to question."""

from __future__ import annotations

from typing import TYPE_CHECKING

import flet as ft

from fieldapp.ui import hierarchy, style

if TYPE_CHECKING:
    from fieldapp.ui.filling import Filling


def rows(filling: Filling) -> list[ft.Control]:
    t = filling.shell.t
    interview = filling.interview
    summary = interview.summary()
    out: list[ft.Control] = [
        style.text(t("end.title"), bold=True),
        style.text(summary.name, size=style.TITLE, bold=True),
    ]
    if not interview.readonly:
        out.append(
            ft.Row(
                [
                    style.button(t("end.finalize"), filling.finalize, primary=True),
                    style.button(t("end.save_draft"), filling.save_and_close),
                ],
                wrap=True,
            )
        )
    if summary.problems:
        first = summary.first_problem or ""
        out.append(style.error(t("end.problem_count", count=summary.problems)))
        out.append(
            style.button(
                t("end.first_problem"),
                lambda _e: filling.go_to_problem(first),
                primary=interview.readonly,
            )
        )
    else:
        out.append(style.text(t("end.no_problems")))
    out.append(style.button(t("end.review"), lambda _e: hierarchy.show(filling, "")))
    return out

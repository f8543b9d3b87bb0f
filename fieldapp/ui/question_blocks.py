"""One question's block on the filling screen: its heading (with `*` when required), hint,
supervisor comments, answer control and message line; whether an answer elsewhere on the
screen changed it (then it is rebuilt in its place, else only its message is updated); and
the key and text field that bring it into view with the keyboard."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import flet as ft

from fieldapp.interview import QuestionView
from fieldapp.ui import question_widgets, style
from fieldapp.ui.markdown import rich_text
from fieldapp.ui.words import Translate

Pending = Callable[[], str]


def controls(
    q: QuestionView,
    *,
    typed: str | None,
    message: str,
    t: Translate,
    answer: Callable[[Any], None],
    attach: Callable[[str, bytes], str],
    focus: bool,
) -> tuple[list[ft.Control], ft.Text | None, Pending | None]:
    """The block's controls, its message line (None for a note) and the reader of its
    unsubmitted text. `typed` is text a constraint refused, shown again until corrected."""
    if q.widget == "note":
        return [rich_text(q.label), rich_text(q.hint)], None, None  # its Markdown sets the bold
    heading = q.label + (" *" if q.required else "")
    out: list[ft.Control] = [rich_text(heading, bold=True)]
    if q.hint:
        out.append(rich_text(q.hint))
    for comment in q.comments:
        out.append(style.error(f"{t('returned.comments')}: {comment}"))
    shown = q if typed is None else dataclasses.replace(q, value=typed)
    control, pending = question_widgets.build(shown, answer, t, attach, typed=answer, focus=focus)
    out.append(control)
    line = style.error(message)
    line.visible = bool(message)
    out.append(line)
    return out, line, pending


def changed(before: QuestionView, now: QuestionView, *, answered: bool) -> bool:
    """Whether a question's block must be rebuilt: anything but its message changed (the
    value of the question just answered is already on its control)."""
    if answered:
        before = dataclasses.replace(before, value=now.value)
    return dataclasses.replace(before, message=now.message) != now


def scroll_key(ref: str) -> ft.ScrollKey:
    """The key `scroll_to` finds (flet's lazy dataclass hides its field from mypy)."""
    return ft.ScrollKey(ref)  # type: ignore[call-arg]


def text_field(control: ft.Control) -> ft.TextField | None:
    """The text field in a question's block, if it has one (to give it the keyboard)."""
    if isinstance(control, ft.TextField):
        return control
    inner = getattr(control, "controls", None) or [getattr(control, "content", None)]
    for child in inner:
        found = text_field(child) if isinstance(child, ft.Control) else None
        if found is not None:
            return found
    return None

"""Choices whose labels wrap: a radio button or a checkbox beside its label as wrapping text,
as ODK Collect lists choices (a long label takes two lines, never runs off a phone's screen).

Flet's own `label` on a radio or a checkbox is one line that the screen edge cuts. Here the
label is a `Text` that wraps, and tapping it chooses as tapping the button does; the button
carries the label for screen readers (a radio through its tooltip, a checkbox through its
semantics label), so both are found by role and name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flet as ft

from fieldapp.interview import QuestionView
from fieldapp.ui import style
from fieldapp.ui.markdown import plain, rich_text

Answer = Callable[[Any], None]


def radios(q: QuestionView, answer: Answer) -> ft.Control:
    """One choice per row for `radio`; short choices side by side for `horizontal` and
    `likert` (their labels are words, as Collect's compact layouts assume)."""
    group = ft.RadioGroup(
        content=ft.Column(),
        value=q.value or None,
        disabled=q.readonly,
        on_change=lambda e: answer(e.control.value or ""),
    )

    def choose(value: str) -> Callable[[], None]:
        def chosen() -> None:
            group.value = value
            answer(value)

        return chosen

    if q.widget == "radio":
        rows: list[ft.Control] = [
            _row(
                ft.Radio(
                    value=c.value, tooltip=plain(c.label), width=style.TOUCH, height=style.TOUCH
                ),
                c.label,
                None if q.readonly else choose(c.value),
            )
            for c in q.choices
        ]
        group.content = ft.Column(rows, spacing=0)
    else:
        group.content = ft.Row(
            [
                ft.Radio(value=c.value, label=c.label, height=style.TOUCH, label_style=style.LABEL)
                for c in q.choices
            ],
            wrap=True,
        )
    return group


def checkboxes(q: QuestionView, answer: Answer) -> ft.Control:
    chosen = set(q.value.split())
    boxes: dict[str, ft.Checkbox] = {}

    def send() -> None:
        answer([c.value for c in q.choices if c.value in chosen])

    def toggled(value: str) -> Callable[[ft.Event[ft.Checkbox]], None]:
        def on_change(e: ft.Event[ft.Checkbox]) -> None:
            (chosen.add if e.control.value else chosen.discard)(value)
            send()

        return on_change

    def tapped(value: str) -> Callable[[], None]:
        def flip() -> None:
            box = boxes[value]
            box.value = not box.value
            (chosen.add if box.value else chosen.discard)(value)
            send()

        return flip

    rows: list[ft.Control] = []
    for c in q.choices:
        boxes[c.value] = ft.Checkbox(
            value=c.value in chosen,
            semantics_label=plain(c.label),
            disabled=q.readonly,
            width=style.TOUCH,
            height=style.TOUCH,
            on_change=toggled(c.value),
        )
        rows.append(_row(boxes[c.value], c.label, None if q.readonly else tapped(c.value)))
    return ft.Column(rows, spacing=0)


def _row(button: ft.Control, label: str, tap: Callable[[], None] | None) -> ft.Control:
    text = ft.Container(
        content=rich_text(label),  # Collect styles choice labels' Markdown too
        expand=True,
        padding=ft.Padding.symmetric(vertical=12),
        on_click=(lambda _e: tap()) if tap is not None else None,
    )
    return ft.Row([button, text], spacing=4, vertical_alignment=ft.CrossAxisAlignment.CENTER)

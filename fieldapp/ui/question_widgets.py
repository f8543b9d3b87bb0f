"""One Flet control per question kind. Each calls `answer(value)`; text-like ones call
`typed(value)` on every change (committed without redrawing, so the focus stays) and
register a reader so Next can commit what a lost change event left behind."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import flet as ft

from fieldapp.interview import QuestionView
from fieldapp.ui import choice_widgets, style
from fieldapp.ui.markdown import plain
from fieldapp.ui.words import Translate

Answer = Callable[[Any], None]
Pending = Callable[[], str]
TEXT_LIKE = {
    "text",
    "multiline",
    "integer",
    "decimal",
    "barcode",
    "geopoint",
    "date",
    "time",
    "datetime",
}


def build(
    q: QuestionView,
    answer: Answer,
    t: Translate,
    attach: Callable[[str, bytes], str],
    *,
    typed: Answer | None = None,
    focus: bool = False,
) -> tuple[ft.Control, Pending | None]:
    """The control for `q`, and a reader of its unsubmitted text (None when it has none).
    `focus` opens the keyboard on the field as the screen shows."""
    if q.widget in TEXT_LIKE:
        return _text(q, answer, typed or answer, t, focus)
    if q.widget in ("radio", "horizontal", "likert"):
        group = choice_widgets.radios(q, answer)
        return ft.Semantics(label=plain(q.label), content=group), None
    if q.widget == "dropdown":
        dropdown = ft.Dropdown(
            label=plain(q.label),
            value=q.value or None,
            options=[ft.dropdown.Option(key=c.value, text=c.label) for c in q.choices],
            disabled=q.readonly,
            on_select=lambda e: answer(e.control.value or ""),
            text_size=style.BODY,
            expand=True,
        )
        return ft.Semantics(label=plain(q.label), button=True, content=dropdown), None
    if q.widget == "checkboxes":
        return choice_widgets.checkboxes(q, answer), None
    if q.widget == "acknowledge":
        box = ft.Checkbox(
            label=t("widget.acknowledge"),
            height=style.TOUCH,
            label_style=style.LABEL,
            value=bool(q.value),
            disabled=q.readonly,
            on_change=lambda e: answer("OK" if e.control.value else ""),
        )
        return box, None
    if q.widget == "range" and q.range is not None:
        return _slider(q, answer), None
    if q.widget in ("photo", "file"):
        return _file(q, answer, t, attach), None
    return style.text(""), None


def _text(
    q: QuestionView, answer: Answer, typed: Answer, t: Translate, focus: bool
) -> tuple[ft.Control, Pending]:
    numeric = q.widget in ("integer", "decimal")
    hint = {
        "date": t("widget.date_format"),
        "time": "HH:MM",
        "geopoint": t("widget.geopoint_manual"),
    }
    field = ft.TextField(
        label=plain(q.label),
        value=q.value,
        hint_text=hint.get(q.widget),
        read_only=q.readonly,
        multiline=q.widget == "multiline",
        keyboard_type=ft.KeyboardType.NUMBER if numeric else ft.KeyboardType.TEXT,
        text_size=style.BODY,
        autofocus=focus and not q.readonly,
        on_change=lambda e: typed(e.control.value),
        on_submit=lambda e: answer(e.control.value),
    )
    if q.widget == "geopoint":
        note = style.text(f"{t('widget.geopoint_unavailable')} {t('widget.geopoint_manual')}")
        return ft.Column([field, note]), lambda: field.value
    if q.widget in ("date", "time") and not q.readonly:
        row = ft.Row([ft.Container(field, expand=True), _picker(q, field, answer, t)])
        return row, lambda: field.value
    return field, lambda: field.value


def _picker(q: QuestionView, field: ft.TextField, answer: Answer, t: Translate) -> ft.Control:
    def chosen(e: ft.Event[Any]) -> None:
        value = e.control.value
        if isinstance(value, dt.datetime):
            text = value.date().isoformat()
        elif isinstance(value, dt.time):
            text = value.strftime("%H:%M")
        else:
            text = str(value or "")
        field.value = text
        answer(text)

    if q.widget == "date":
        label = t("widget.date_pick")
        picker: ft.DialogControl = ft.DatePicker(
            first_date=dt.datetime(1900, 1, 1),
            last_date=dt.datetime(2100, 12, 31),
            on_change=chosen,
        )
        icon = ft.Icons.CALENDAR_MONTH
    else:
        label = t("widget.time_pick")
        picker = ft.TimePicker(on_change=chosen)
        icon = ft.Icons.SCHEDULE

    def open_picker(e: ft.Event[ft.IconButton]) -> None:
        e.page.show_dialog(picker)

    return ft.IconButton(icon=icon, tooltip=label, on_click=open_picker, icon_size=32)


def _slider(q: QuestionView, answer: Answer) -> ft.Control:
    assert q.range is not None
    start, end, step = (
        float(x) if x else d for x, d in zip(q.range, (0.0, 10.0, 1.0), strict=True)
    )
    divisions = max(1, round((end - start) / step)) if step else None
    slider = ft.Slider(
        min=start,
        max=end,
        divisions=divisions,
        value=float(q.value) if q.value else start,
        label="{value}",
        disabled=q.readonly,
        on_change_end=lambda e: answer(_number(e.control.value)),
    )
    return ft.Semantics(label=plain(q.label), content=slider)


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


def _file(
    q: QuestionView, answer: Answer, t: Translate, attach: Callable[[str, bytes], str]
) -> ft.Control:
    label = t("widget.photo_pick") if q.widget == "photo" else t("widget.photo_pick")
    shown = style.text(q.value)

    async def pick(_e: ft.Event[ft.Button]) -> None:
        kind = ft.FilePickerFileType.IMAGE if q.widget == "photo" else ft.FilePickerFileType.ANY
        files = await ft.FilePicker().pick_files(file_type=kind, with_data=True)
        if files and files[0].bytes is not None:
            name = attach(files[0].name, files[0].bytes)
            shown.value = name
            answer(name)

    return ft.Column([style.button(label, None if q.readonly else pick), shown])

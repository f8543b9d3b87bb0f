"""Sizes and colours for outdoor use: large text, 48 px touch targets, high contrast."""

from __future__ import annotations

import flet as ft

BODY = 18
TITLE = 22
TOUCH = 52
INK = "#000000"
PAPER = "#FFFFFF"
ACCENT = "#0B3D91"
DANGER = "#B00020"
LABEL = ft.TextStyle(size=BODY, color=INK)
"""Text of radio buttons and checkboxes."""


def theme() -> ft.Theme:
    return ft.Theme(color_scheme_seed=ACCENT)


def text(value: str, *, size: int = BODY, bold: bool = False, color: str = INK) -> ft.Text:
    return ft.Text(
        value, size=size, color=color, weight=ft.FontWeight.BOLD if bold else None, selectable=False
    )


def button(
    label: str, on_click: ft.ControlEventHandler[ft.Button] | None, *, primary: bool = False
) -> ft.Button:
    return ft.Button(
        content=ft.Text(label, size=BODY, weight=ft.FontWeight.W_600),
        on_click=on_click,
        height=TOUCH,
        bgcolor=ACCENT if primary else None,
        color=PAPER if primary else ACCENT,
        tooltip=label,
    )


def error(value: str) -> ft.Text:
    return text(value, color=DANGER, bold=True)

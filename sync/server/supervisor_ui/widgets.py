"""The building blocks the supervisor screens share: a text line, a labelled button, and sizes
and durations as a reader says them."""

from __future__ import annotations

from typing import Any

import flet as ft

TAP = 48
"""The least height (px) of anything a finger taps (Material's minimum touch target)."""


def text(value: str, *, bold: bool = False, size: int = 15, color: str | None = None) -> ft.Text:
    return ft.Text(value, size=size, weight=ft.FontWeight.BOLD if bold else None, color=color)


def button(label: str, action: Any) -> ft.Button:
    """A button whose label is also its tooltip, TAP pixels high; `action` takes no
    arguments."""
    return ft.Button(content=label, on_click=lambda _e: action(), tooltip=label, height=TAP)


def keep_typing(_e: ft.Event[Any]) -> None:
    """A text field's change (or a list's selection) handler that does nothing: having one
    makes the browser send each change as it happens, so a value typed or chosen just before
    a button press is not lost."""


def size_text(size: int) -> str:
    if size < 1000:
        return f"{size} B"
    if size < 1_000_000:
        return f"{size / 1000:.1f} kB"
    return f"{size / 1e6:.1f} MB"


def duration_text(seconds: float) -> str:
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min {whole % 60} s"
    return f"{whole // 3600} h {whole % 3600 // 60} min"

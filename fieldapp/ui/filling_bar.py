"""The interview's two compact bars, as in ODK Collect's form entry screen.

At the top, one row: the screen's name (cut short, never wrapped), whether the answers are
saved ("Saved", or "Not saved: try again" as a button), and a menu with the less frequent
actions (Go to question, Save as draft, the form's languages). At the bottom: Back and Next,
the two largest targets, each an icon with its word. Every control has a label a screen
reader (and a test) finds, and is at least `style.TOUCH` high.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import flet as ft

from fieldapp.ui import style

Action = Callable[[], None]


@dataclass(frozen=True)
class MenuItem:
    label: str
    icon: ft.IconData
    action: Action
    checked: bool | None = None
    """True or False for a choice among several (the form language); None for an action."""


def top_bar(title: str, state: ft.Control, items: list[MenuItem], more: str) -> ft.Control:
    name = ft.Text(
        title,
        size=style.BODY,
        weight=ft.FontWeight.BOLD,
        color=style.INK,
        max_lines=1,
        overflow=ft.TextOverflow.ELLIPSIS,
        expand=True,
    )
    return ft.Row(
        [name, state, _menu(items, more)],
        spacing=4,
        vertical_alignment=ft.CrossAxisAlignment.CENTER,
    )


def save_state(saved: str, failed: str, *, status: str, on_retry: Action) -> ft.Control:
    """`saved` when `status` is "saved", a retry button saying `failed` when "failed", and
    nothing (an empty, invisible text) before the first answer of the screen."""
    if status == "failed":
        return ft.TextButton(
            content=ft.Text(
                failed, size=style.BODY, color=style.DANGER, weight=ft.FontWeight.W_600
            ),
            icon=ft.Icons.SYNC_PROBLEM,
            icon_color=style.DANGER,
            height=style.TOUCH,
            on_click=lambda _e: on_retry(),
        )
    shown = ft.Row(
        [ft.Icon(ft.Icons.CLOUD_DONE_OUTLINED, color=style.ACCENT, size=20), style.text(saved)],
        spacing=4,
        visible=status == "saved",
    )
    return shown


def _menu(items: list[MenuItem], more: str) -> ft.Control:
    entries = [
        ft.PopupMenuItem(
            content=style.text(item.label),
            icon=None if item.checked is not None else item.icon,
            checked=item.checked,
            height=style.TOUCH,
            on_click=lambda _e, act=item.action: act(),
        )
        for item in items
    ]
    return ft.PopupMenuButton(
        content=ft.Row(
            [ft.Icon(ft.Icons.MORE_VERT, color=style.ACCENT), style.text(more, color=style.ACCENT)],
            spacing=2,
        ),
        items=entries,
        height=style.TOUCH,
    )


def move_bar(back: tuple[str, Action], forward: tuple[str, Action] | None) -> ft.Control:
    """Back and Next side by side, each half the width; Next filled (the usual move)."""
    buttons: list[ft.Control] = [_move(back[0], ft.Icons.ARROW_BACK, back[1], primary=False)]
    if forward is not None:
        buttons.append(_move(forward[0], ft.Icons.ARROW_FORWARD, forward[1], primary=True))
    return ft.Row(buttons, spacing=12)


def _move(label: str, icon: ft.IconData, action: Action, *, primary: bool) -> ft.Control:
    return ft.Button(
        content=ft.Text(label, size=style.BODY, weight=ft.FontWeight.W_600),
        icon=icon,
        icon_color=style.PAPER if primary else style.ACCENT,
        bgcolor=style.ACCENT if primary else None,
        color=style.PAPER if primary else style.ACCENT,
        height=style.TOUCH + 8,
        expand=True,
        on_click=lambda _e: action(),
    )

"""The interview's two compact bars, as in ODK Collect's form entry screen.

At the top, one row: the screen's name (cut short, never wrapped), whether the answers are
saved ("Saved", or "Not saved: try again" as a button), and a menu with the less frequent
actions (Go to question, Save as draft, the form's languages). At the bottom: Back and Next,
the two largest targets, each an icon with its word. Every control has a label a screen
reader (and a test) finds, and is at least `style.TOUCH` high.

The top bar is made once per interview (and again when its words change language) and only
updated from screen to screen, so a Next sends the browser the new screen, not a new bar.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import flet as ft

from fieldapp.ui import style
from fieldapp.ui.markdown import plain
from fieldapp.ui.words import Translate

Action = Callable[[], None]
SAVED, FAILED = "saved", "failed"


@dataclass(frozen=True)
class MenuItem:
    label: str
    icon: ft.IconData
    action: Action
    checked: bool | None = None
    """True or False for a choice among several (the form language); None for an action."""


@dataclass(frozen=True)
class Words:
    more: str
    saved: str
    not_saved: str
    back: str
    next: str


def menu_items(
    t: Translate,
    *,
    outline: Action,
    save: Action,
    languages: list[tuple[str, str]],
    current: str | None,
    choose: Callable[[str], None],
) -> list[MenuItem]:
    """Go to question, Save as draft, then each form language by its name (`languages`:
    (name, language)), the `current` one checked."""
    items = [
        MenuItem(t("filling.outline"), ft.Icons.LIST_ALT, outline),
        MenuItem(t("end.save_draft"), ft.Icons.SAVE_OUTLINED, save),
    ]
    for name, language in languages:
        items.append(
            MenuItem(
                f"{t('filling.language')}: {name}",
                ft.Icons.TRANSLATE,
                functools.partial(choose, language),
                checked=language == current,
            )
        )
    return items


class Bars:
    def __init__(self, words: Words, *, back: Action, forward: Action, retry: Action) -> None:
        self.words = words
        self.title = ft.Text(
            size=style.BODY,
            weight=ft.FontWeight.BOLD,
            color=style.INK,
            max_lines=1,
            overflow=ft.TextOverflow.ELLIPSIS,
            expand=True,
        )
        self.saved = ft.Row(
            [
                ft.Icon(ft.Icons.CLOUD_DONE_OUTLINED, color=style.ACCENT, size=20),
                style.text(words.saved),
            ],
            spacing=4,
            visible=False,
        )
        self.failed = ft.TextButton(
            content=ft.Text(
                words.not_saved, size=style.BODY, color=style.DANGER, weight=ft.FontWeight.W_600
            ),
            icon=ft.Icons.SYNC_PROBLEM,
            icon_color=style.DANGER,
            height=style.TOUCH,
            visible=False,
            on_click=lambda _e: retry(),
        )
        self.menu = ft.PopupMenuButton(
            tooltip=words.more,  # else Flutter's own English "Show menu"
            content=ft.Row(
                [
                    ft.Icon(ft.Icons.MORE_VERT, color=style.ACCENT),
                    style.text(words.more, color=style.ACCENT),
                ],
                spacing=2,
            ),
            height=style.TOUCH,
        )
        self.items: list[MenuItem] = []
        self.top = ft.Row(
            [self.title, self.saved, self.failed, self.menu],
            spacing=4,
            vertical_alignment=ft.CrossAxisAlignment.CENTER,
        )
        self.back, self.forward = back, forward
        self.bottom = ft.Row(spacing=12)

    def show(self, title: str, items: list[MenuItem], *, status: str, at_end: bool) -> None:
        """Set the bars for a screen: its name, the menu's items, the save state (SAVED,
        FAILED or "" before the screen's first answer); no Next on the end screen."""
        self.title.value = plain(title)  # a group label's Markdown, without its markers
        self.status(status)
        # Back and Next are new on every screen: a button kept across screens would keep
        # the focus it took when tapped, and the next screen's first field could not take it.
        self.bottom.controls = [_move(self.words.back, ft.Icons.ARROW_BACK, self.back)]
        if not at_end:
            self.bottom.controls.append(
                _move(self.words.next, ft.Icons.ARROW_FORWARD, self.forward, primary=True)
            )
        if [(i.label, i.checked) for i in items] != [(i.label, i.checked) for i in self.items]:
            self.menu.items = [_entry(item) for item in items]
        self.items = items

    def status(self, status: str) -> None:
        self.saved.visible = status == SAVED
        self.failed.visible = status == FAILED


def _entry(item: MenuItem) -> ft.PopupMenuItem:
    return ft.PopupMenuItem(
        content=style.text(item.label),
        icon=None if item.checked is not None else item.icon,
        checked=item.checked,
        height=style.TOUCH,
        on_click=lambda _e: item.action(),
    )


def _move(label: str, icon: ft.IconData, action: Action, *, primary: bool = False) -> ft.Button:
    """Back or Next: half the bar's width each; Next filled (the usual move)."""
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

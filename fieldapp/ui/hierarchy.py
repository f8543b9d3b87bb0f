"""Go to question: ODK Collect's hierarchy view over `Interview.outline()`, one level at a time.

As Collect's `FormHierarchyFragment` does: a header with the path of the level shown and an
"up" action; each question with its answer as it was shown (choice labels, formatted dates
and numbers) and a word when it is missing or needs correcting; groups and repeats as rows
that open their own level (a repeat lists its instances, "Household member 2: Awa"); the
question on screen highlighted and scrolled into view; tapping a question jumps to it.
Deleting a repeat instance asks first and says how many answers it holds (Collect's
`DeleteRepeatDialogFragment`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import flet as ft

from fieldapp.interview_outline import GROUP, INSTANCE, QUESTION, REPEAT, LevelRow
from fieldapp.interview_views import ScreenView
from fieldapp.ui import style
from fieldapp.ui.markdown import plain
from fieldapp.ui.words import Translate
from forms.session_navigation import INVALID, REQUIRED_MISSING

if TYPE_CHECKING:
    from fieldapp.ui.filling import Filling

CURRENT = "current"
"""Scroll key of the highlighted row."""
HIGHLIGHT = "#DCE6F7"
STATES = {REQUIRED_MISSING: "outline.missing", INVALID: "outline.invalid"}


def progress_words(t: Translate, screen: ScreenView) -> str:
    """The progress bar's words: the section by number, the screen's title and its place
    ("Section 2 of 10 · 1. Household members · 5/61")."""
    where = t("filling.section", number=screen.part, total=screen.parts) if screen.part else ""
    return " · ".join(
        w for w in (where, screen.section, f"{screen.index + 1}/{screen.count + 1}") if w
    )


def progress_bar(t: Translate, screen: ScreenView) -> ft.Control:
    """The bar by section, with "Section 2 of 10" written beside it once the first
    section has begun."""
    bar = ft.ProgressBar(
        value=screen.progress, height=8, semantics_label=progress_words(t, screen), expand=True
    )
    if not screen.part or screen.kind == "end":
        return bar
    words = t("filling.section", number=screen.part, total=screen.parts)
    shown = ft.Text(words, size=style.BODY - 4, color=style.ACCENT, no_wrap=True)
    return ft.Row([bar, shown], spacing=8, vertical_alignment=ft.CrossAxisAlignment.CENTER)


def show(filling: Filling, level: str | None = None) -> None:
    """Show the level `level` (default: the one holding the current screen)."""
    shown = filling.interview.outline(level)
    t = filling.shell.t
    rows: list[ft.Control] = [style.text(shown.path, bold=True)]
    first = next((n for n, row in enumerate(shown.rows) if row.current), None)
    rows += [_row(filling, row, n == first) for n, row in enumerate(shown.rows)]
    buttons: list[ft.Control] = []
    if shown.up is not None:
        up = shown.up
        buttons.append(
            _icon_button(t("outline.up"), ft.Icons.ARROW_UPWARD, lambda: show(filling, up))
        )
    buttons.append(style.button(t("outline.back"), lambda _e: filling.render(), primary=True))
    footer = ft.Row(buttons, wrap=True, alignment=ft.MainAxisAlignment.SPACE_BETWEEN)
    filling.shell.show(t("filling.outline"), rows, nav=False, footer=footer)
    if first is not None:  # a field-list highlights all its questions: scroll to the first
        filling.shell.page.run_task(filling.shell.body.scroll_to, scroll_key=CURRENT)


def _row(filling: Filling, row: LevelRow, scroll_here: bool) -> ft.Control:
    t = filling.shell.t
    words = row.answer
    color = style.INK
    if row.state in STATES:
        words, color = t(STATES[row.state]), style.DANGER
    label = plain(row.label)  # a label's Markdown markers are not shown in the list
    title = label if row.kind != "repeat" else f"{label} ({row.count})"
    if row.kind == QUESTION:
        icon, action = None, _jump(filling, row.ref)
    elif row.kind == REPEAT and not row.count:  # nothing to list: its "Add 'Plot'?"
        icon, action = ft.Icons.REPEAT, _jump(filling, row.ref)
    else:
        icon = {GROUP: ft.Icons.FOLDER_OPEN, INSTANCE: ft.Icons.PERSON_OUTLINE}.get(
            row.kind, ft.Icons.REPEAT
        )
        ref = row.ref
        action = lambda _e: show(filling, ref)  # noqa: E731
    return ft.ListTile(
        title=style.text(title, bold=row.current),
        subtitle=style.text(words, color=color) if words else None,
        leading=ft.Icon(icon, color=style.ACCENT) if icon else None,
        trailing=ft.Icon(ft.Icons.CHEVRON_RIGHT) if icon else None,
        selected=row.current,
        selected_tile_color=HIGHLIGHT,
        bgcolor=HIGHLIGHT if row.current else None,
        on_click=action,
        min_height=style.TOUCH,
        key=_scroll_key() if scroll_here else None,
    )


def _scroll_key() -> ft.ScrollKey:
    """The key `scroll_to` finds (flet's lazy dataclass hides its field from mypy)."""
    return ft.ScrollKey(CURRENT)  # type: ignore[call-arg]


def _jump(filling: Filling, ref: str) -> Callable[[ft.Event[ft.ListTile]], None]:
    return lambda _e: filling.move(lambda: filling.interview.jump(ref))


def _icon_button(label: str, icon: ft.IconData, action: Callable[[], None]) -> ft.Control:
    return ft.Button(
        content=ft.Row([ft.Icon(icon), ft.Text(label, size=style.BODY)], tight=True),
        on_click=lambda _e: action(),
        height=style.TOUCH,
    )


def confirm_delete(filling: Filling, ref: str, name: str) -> None:
    """Ask before deleting the repeat instance `ref` (named `name`), saying how many
    answers go with it; delete it only on "Delete"."""
    t = filling.shell.t
    page = filling.shell.page
    count = filling.interview.answers_in(ref)

    def delete(_e: object) -> None:
        page.pop_dialog()
        filling.move(lambda: filling.interview.remove_repeat(ref))

    page.show_dialog(
        ft.AlertDialog(
            modal=True,
            title=style.text(t("repeat.delete_title", label=name), bold=True),
            content=style.text(t("repeat.delete_loses", count=count)),
            actions=[
                style.button(t("common.cancel"), lambda _e: page.pop_dialog()),
                ft.Button(
                    content=ft.Text(
                        t("common.delete"), size=style.BODY, weight=ft.FontWeight.W_600
                    ),
                    on_click=delete,
                    height=style.TOUCH,
                    bgcolor=style.DANGER,
                    color=style.PAPER,
                    tooltip=t("common.delete"),
                ),
            ],
        )
    )

"""The app shell: one page, a navigation bar of screens, and the current view.

The shell knows no screen module: it is given its screens (`fieldapp.ui.navigation`
builds it with them), and the screens import the shell to render into it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import flet as ft

from fieldapp.auto_sync import AutoSync
from fieldapp.ui import style
from fieldapp.ui.syncing import BackgroundSync
from fieldapp.ui.words import Translate, translator

Screen = Callable[["Shell"], None]
"""A screen: renders itself into the shell with `Shell.show`."""


class Shell:
    """Holds the store and the page; each screen renders into `body`. `home` is the first
    screen; `nav` the others the navigation bar offers, as (word-list key, screen)."""

    def __init__(
        self,
        page: ft.Page,
        store: Any,
        recovered_from: Path | None,
        *,
        home: Screen,
        nav: Sequence[tuple[str, Screen]],
        auto: AutoSync | None = None,
    ) -> None:
        self.page = page
        self.store = store
        self.recovered_from = recovered_from
        self._home, self._screens = home, tuple(nav)
        self.body = ft.Column(expand=True, scroll=ft.ScrollMode.AUTO, spacing=12)
        self.footer = ft.Container(visible=False)
        """Kept below the scrolling body, always in reach (the interview's Back/Next)."""
        self.top = ft.Container(visible=False)
        """Kept above the scrolling body: a screen's own compact bar (the interview's)."""
        self.t: Translate = translator(self._setting("language"))
        self.current: Callable[[], None] = self.home
        self.auto = auto
        """The app's automatic sending (None when the shell runs without one)."""
        self.syncing = BackgroundSync(store, auto.agent if auto is not None else None)
        self.sync_words = ""
        """The last "Sync now" outcome in words, shown once on Home."""

    def _setting(self, key: str) -> str | None:
        value: str | None = self.store.get_setting(key)
        return value

    def set_language(self, language: str) -> None:
        self.t = translator(language)

    def start(self) -> None:
        self.page.title = self.t("app.title")
        self.page.theme = style.theme()
        self.page.theme_mode = ft.ThemeMode.LIGHT
        self.page.bgcolor = style.PAPER
        self.page.padding = 12
        self.page.add(
            ft.SafeArea(content=ft.Column([self.top, self.body, self.footer]), expand=True)
        )
        self.home()

    def show(
        self,
        title: str,
        controls: list[ft.Control],
        *,
        nav: bool = True,
        footer: ft.Control | None = None,
        bar: ft.Control | None = None,
    ) -> None:
        """Show `controls` under `title`; a screen that brings its own `bar` (which names
        it) gets that bar pinned at the top instead of the title and the navigation."""
        header: list[ft.Control] = [style.text(title, size=style.TITLE, bold=True)]
        if nav:
            header.insert(0, self._nav())
        self.body.controls = [*(header if bar is None else ()), *controls]
        self.footer.content, self.footer.visible = footer, footer is not None
        self.top.content, self.top.visible = bar, bar is not None
        self.page.update()

    def _nav(self) -> ft.Control:
        def go(action: Callable[[], None]) -> Callable[[ft.Event[ft.TextButton]], None]:
            return lambda _e: self.go(action)

        def opens(screen: Screen) -> Callable[[], None]:
            return lambda: screen(self)

        items: list[tuple[str, Callable[[], None]]] = [(self.t("nav.home"), self.home)]
        items += [(self.t(key), opens(screen)) for key, screen in self._screens]
        return ft.Row(
            [
                ft.TextButton(
                    content=style.text(label, color=style.ACCENT),
                    on_click=go(action),
                    height=style.TOUCH,
                    tooltip=label,
                )
                for label, action in items
            ],
            wrap=True,
            spacing=2,
        )

    def notify(self, text: str) -> None:
        """A short confirmation at the bottom of the screen ("Saved as draft"), which goes
        away by itself; `text` in the app's language."""
        self.page.show_dialog(ft.SnackBar(content=style.text(text, color=style.PAPER)))

    def from_worker(self, action: Callable[[], None]) -> None:
        """Run `action` (which changes and updates the page) on the page's event loop, from a
        worker thread such as the sync's."""

        async def run() -> None:
            action()

        self.page.run_task(run)

    def go(self, action: Callable[[], None]) -> None:
        self.current = action
        action()

    def home(self) -> None:
        self.current = self.home
        self._home(self)

"""The app shell: one page, a navigation bar of screens, and the current view."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import flet as ft

from fieldapp.ui import style
from fieldapp.ui.syncing import BackgroundSync
from fieldapp.ui.words import Translate, translator


class Shell:
    """Holds the store and the page; each screen module renders into `body`."""

    def __init__(self, page: ft.Page, store: Any, recovered_from: Path | None) -> None:
        self.page = page
        self.store = store
        self.recovered_from = recovered_from
        self.body = ft.Column(expand=True, scroll=ft.ScrollMode.AUTO, spacing=12)
        self.footer = ft.Container(visible=False)
        """Kept below the scrolling body, always in reach (the interview's Back/Next)."""
        self.t: Translate = translator(self._setting("language"))
        self.current: Callable[[], None] = self.home
        self.syncing = BackgroundSync(store)
        self.sync_words = ""
        """The last "Sync now" outcome in words, shown on Home until the next one."""

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
        self.page.add(ft.SafeArea(content=ft.Column([self.body, self.footer]), expand=True))
        self.home()

    def show(
        self,
        title: str,
        controls: list[ft.Control],
        *,
        nav: bool = True,
        footer: ft.Control | None = None,
    ) -> None:
        header: list[ft.Control] = [style.text(title, size=style.TITLE, bold=True)]
        if nav:
            header.insert(0, self._nav())
        self.body.controls = [*header, *controls]
        self.footer.content, self.footer.visible = footer, footer is not None
        self.page.update()

    def _nav(self) -> ft.Control:
        from fieldapp.ui import lists, settings

        t = self.t
        items: list[tuple[str, Callable[[], None]]] = [
            (t("nav.home"), self.home),
            (t("nav.forms"), lambda: lists.forms(self)),
            (t("nav.drafts"), lambda: lists.instances(self, "draft")),
            (t("nav.ready"), lambda: lists.instances(self, "finalized")),
            (t("nav.sent"), lambda: lists.instances(self, "sent")),
            (t("nav.returned"), lambda: lists.instances(self, "returned")),
            (t("nav.settings"), lambda: settings.settings(self)),
        ]

        def go(action: Callable[[], None]) -> Callable[[ft.Event[ft.TextButton]], None]:
            return lambda _e: self.go(action)

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
        from fieldapp.ui import home

        self.current = self.home
        home.home(self)

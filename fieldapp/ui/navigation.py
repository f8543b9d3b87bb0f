"""The app's screens as the navigation bar offers them, and the shell built with them.

This is the one module that knows both the shell and every screen: the shell is given
its screens here, so the screen modules can import the shell without a cycle.
"""

from __future__ import annotations

import flet as ft

from fieldapp.store import Store
from fieldapp.ui import home, lists, settings
from fieldapp.ui.shell import Screen, Shell


def _instances(state: str) -> Screen:
    return lambda shell: lists.instances(shell, state)


NAVIGATION: tuple[tuple[str, Screen], ...] = (
    ("nav.forms", lists.forms),
    ("nav.drafts", _instances("draft")),
    ("nav.ready", _instances("finalized")),
    ("nav.sent", _instances("sent")),
    ("nav.returned", _instances("returned")),
    ("nav.settings", settings.settings),
)
"""After Home, which the shell always puts first: (word-list key of the label, screen)."""


def start_app(page: ft.Page, store: Store) -> None:
    """Show the enumerator app on `page`, starting on Home."""
    Shell(page, store, store.recovered_from, home=home.home, nav=NAVIGATION).start()

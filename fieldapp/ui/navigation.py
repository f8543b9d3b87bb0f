"""The app's screens as the navigation bar offers them, and the shell built with them.

This is the one module that knows both the shell and every screen: the shell is given
its screens here, so the screen modules can import the shell without a cycle.
"""

from __future__ import annotations

import flet as ft

from fieldapp.auto_sync import AutoSync
from fieldapp.store import Store
from fieldapp.sync_agent import SyncOutcome
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


def start_app(page: ft.Page, store: Store, auto: AutoSync | None = None) -> None:
    """Show the enumerator app on `page`, starting on Home. With the app's automatic sending,
    opening or resuming the app tries a sync at once, and each automatic outcome redraws
    Home (the counts, the last sync, the next try)."""
    shell = Shell(page, store, store.recovered_from, home=home.home, nav=NAVIGATION, auto=auto)
    if auto is not None:

        def synced(_outcome: SyncOutcome) -> None:
            shell.from_worker(lambda: home.refresh(shell) if shell.current == shell.home else None)

        def lifecycle(event: ft.AppLifecycleStateChangeEvent) -> None:
            if event.state == ft.AppLifecycleState.RESUME:
                auto.nudge()

        def left(_e: ft.Event[ft.Page]) -> None:
            auto.listeners.remove(synced)

        auto.listeners.append(synced)
        page.on_app_lifecycle_state_change = lifecycle
        page.on_disconnect = left
        auto.nudge()
    shell.start()

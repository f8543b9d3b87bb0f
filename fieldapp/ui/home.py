"""Home: counts of interviews by state, the last sync and "Sync now" with progress."""

from __future__ import annotations

import flet as ft

from fieldapp.sync_agent import SyncOutcome
from fieldapp.ui import style
from fieldapp.ui.shell import Shell


def home(shell: Shell) -> None:
    t, store = shell.t, shell.store
    counts = store.counts()
    rows: list[ft.Control] = []
    if shell.recovered_from is not None:
        rows.append(style.error(t("app.store_recovered", path=str(shell.recovered_from))))
    for key, state in (
        ("home.drafts", "draft"),
        ("home.ready", "finalized"),
        ("home.sent", "sent"),
        ("home.returned", "returned"),
    ):
        rows.append(style.text(f"{t(key)}: {counts.get(state, 0)}"))
    last = store.get_setting("last_sync")
    rows.append(style.text(t("home.last_sync", when=last) if last else t("home.never_synced")))
    progress = ft.ProgressBar(value=None, visible=shell.syncing.running, height=8)
    status = style.text(t("sync.running") if shell.syncing.running else shell.sync_words)

    def on_progress(share: float | None, words: str) -> None:
        def show() -> None:
            progress.value, status.value = share, words
            shell.page.update()

        shell.from_worker(show)

    def on_done(_outcome: SyncOutcome, words: str) -> None:
        def show() -> None:
            shell.sync_words = words
            if shell.current == shell.home:
                shell.home()  # the counts, refreshed

        shell.from_worker(show)

    def sync(_e: ft.Event[ft.Button]) -> None:
        if not store.get_setting("server_url"):
            status.value = t("sync.no_server")
            return
        if shell.syncing.start(t, on_progress, on_done):
            progress.visible, progress.value = True, None
        status.value = t("sync.running")
        shell.page.update()

    rows += [style.button(t("sync.now"), sync, primary=True), progress, status]
    shell.show(t("nav.home"), rows)

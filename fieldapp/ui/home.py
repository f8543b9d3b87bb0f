"""Home: counts of interviews by state, the last sync and "Sync now" with progress."""

from __future__ import annotations

import flet as ft

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
    progress = ft.ProgressBar(value=0, visible=False, height=8)
    status = style.text("")

    def on_progress(done: int, total: int, what: str) -> None:
        progress.value = done / total if total else None
        status.value = what
        shell.page.update()

    def sync(_e: ft.Event[ft.Button]) -> None:
        if not store.get_setting("server_url"):
            status.value = t("sync.no_server")
            return
        from fieldapp.sync_agent import SyncAgent  # only when a server is configured

        progress.visible = True
        shell.page.update()
        try:
            outcome = SyncAgent(store).run_once(on_progress)
            status.value = f"{t('sync.done')}: {outcome}"
        except Exception as error:  # the agent's failures are shown, never raised to the user
            status.value = t("sync.failed", detail=str(getattr(error, "message", error)))
        progress.visible = False
        shell.home()

    rows += [style.button(t("sync.now"), sync, primary=True), progress, status]
    shell.show(t("nav.home"), rows)

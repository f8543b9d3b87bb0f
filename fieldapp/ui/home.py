"""Home: the draft to continue, returned interviews, counts by state, where sending stands
(last sync, next automatic try, a refusal) and "Sync now" with progress."""

from __future__ import annotations

import datetime as dt
from weakref import WeakKeyDictionary

import flet as ft

from fieldapp import i18n
from fieldapp.store.records import DRAFT, FINALIZED, RETURNED, SENT
from fieldapp.sync_agent import SyncOutcome, autosend_on
from fieldapp.ui import filling, lists, style
from fieldapp.ui.shell import Shell
from fieldapp.ui.syncing import is_refusal, outcome_words, parse_stamp, when_words
from fieldapp.ui.words import failure_words

BADGE = style.DANGER
QUIET = "#424242"
"""A failed automatic try: said, not alarming (the next try deals with it)."""


_SAID: WeakKeyDictionary[Shell, str] = WeakKeyDictionary()
"""What "Sync now" said, on each shell's Home now: kept when an automatic sync redraws it."""


def home(shell: Shell) -> None:
    """Home as a visit shows it: what the last "Sync now" said shows on this visit only."""
    _SAID[shell], shell.sync_words = shell.sync_words, ""
    _show(shell, _SAID[shell])


def refresh(shell: Shell) -> None:
    """Home redrawn where it stands (after an automatic sync), saying what it said."""
    _show(shell, _SAID.get(shell, ""))


def _show(shell: Shell, said: str) -> None:
    t, store = shell.t, shell.store
    counts = store.counts()
    rows: list[ft.Control] = []
    if shell.recovered_from is not None:
        rows.append(style.error(t("app.store_recovered", path=str(shell.recovered_from))))
    drafts = store.list_instances(DRAFT)
    if drafts:  # the most recently saved draft: the one open when the app was left
        last = drafts[0]

        def resume(_e: ft.Event[ft.Button], instance_id: str = last.instance_id) -> None:
            shell.go(lambda: filling.resume(shell, instance_id))  # Home is left: not redrawn

        name = last.name or last.instance_id
        rows.append(style.button(t("home.continue", name=name), resume, primary=True))
    if counts.get(RETURNED, 0):
        rows.append(_returned(shell, counts[RETURNED]))
    for key, state in (
        ("home.drafts", DRAFT),
        ("home.ready", FINALIZED),
        ("home.sent", SENT),
        ("home.returned", RETURNED),
    ):
        rows.append(style.text(t("home.count", label=t(key), count=counts.get(state, 0))))
    rows += _sending(shell)
    progress = ft.ProgressBar(value=None, visible=shell.syncing.running, height=8)
    status = style.text(t("sync.running") if shell.syncing.running else said)
    status.visible = bool(status.value)

    def on_progress(share: float | None, words: str) -> None:
        def show() -> None:
            progress.value, status.value = share, words
            shell.page.update()

        shell.from_worker(show)

    def on_done(outcome: SyncOutcome, words: str) -> None:
        def show() -> None:
            shell.sync_words = "" if outcome.error or is_refusal(outcome) else words
            if shell.current == shell.home:
                shell.home()  # the counts, refreshed

        shell.from_worker(show)

    def sync(_e: ft.Event[ft.Button]) -> None:
        if not (store.get_setting("server_url") or store.get_setting("hub_url")):
            status.value, status.visible = t("sync.no_server"), True
            shell.page.update()
            return
        if shell.syncing.start(t, on_progress, on_done):
            progress.visible, progress.value = True, None
        status.value, status.visible = t("sync.running"), True
        shell.page.update()

    rows += [style.button(t("sync.now"), sync, primary=True), progress, status]
    shell.show(t("nav.home"), rows)


def _returned(shell: Shell, count: int) -> ft.Control:
    """A badge with the count and a line that opens the returned interviews."""
    badge = ft.Container(
        content=style.text(str(count), bold=True, color=style.PAPER),
        bgcolor=BADGE,
        border_radius=16,
        padding=ft.Padding.symmetric(horizontal=10, vertical=4),
    )

    def open_returned(_e: ft.Event[ft.Button]) -> None:
        shell.go(lambda: lists.instances(shell, RETURNED))

    line = style.button(shell.t("sync.returned", count=count), open_returned)
    return ft.Row([badge, ft.Container(content=line, expand=True)])


def _sending(shell: Shell) -> list[ft.Control]:
    """The last successful sync and the next automatic try, in local time and words; how the
    last try ended when it failed: quietly when the server did not answer (the next try will
    do), clearly when the server refused."""
    t, store = shell.t, shell.store
    language = store.get_setting("language") or i18n.device_language()
    now = dt.datetime.now(dt.UTC)
    last = store.get_setting("last_sync")
    said = when_words(t, language, parse_stamp(last), now) if last else ""
    rows: list[ft.Control] = [
        style.text(t("home.last_sync", when=said) if last else t("home.never_synced"))
    ]
    auto, set_up = shell.auto, store.get_setting("server_url") or store.get_setting("hub_url")
    if auto is not None and set_up and not autosend_on(store):
        rows.append(style.text(t("home.autosend_off"), color=QUIET))
    elif auto is not None and auto.next_try is not None and not shell.syncing.running:
        moment = dt.datetime.fromtimestamp(auto.next_try, dt.UTC)
        rows.append(style.text(t("home.next_try", when=when_words(t, language, moment, now))))
    outcome = shell.syncing.agent.last_outcome
    if outcome is not None and not shell.syncing.running:
        if is_refusal(outcome):
            rows.append(style.error(outcome_words(t, outcome)))
        elif outcome.error:
            why = failure_words(t, outcome.error_code, outcome.error_params, outcome.error)
            rows.append(style.text(t("home.not_sent_yet", detail=why), color=QUIET))
    return rows

""" "Sync now" off the UI thread, joining a running sync; progress, outcome and times in words."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

from fieldapp.i18n import format_date
from fieldapp.store import Store
from fieldapp.sync_agent import STAGE_PULL_FORMS, STAGE_PULL_RETURNED, SyncAgent, SyncOutcome
from fieldapp.ui.words import Translate, failure_words

REFUSALS = frozenset({"sync.unauthorized", "sync.server_refused", "sync.no_server"})
"""Failures the enumerator must act on (ask for a new code, call the coordinator), unlike a
server that does not answer, which the next automatic try deals with."""
Progress = Callable[[float | None, str], None]
"""(share done, or None while unknown; what is happening, in words)."""
STAGE_WORDS = {
    STAGE_PULL_FORMS: "sync.downloading_forms",
    STAGE_PULL_RETURNED: "sync.downloading_returned",
}


def outcome_words(t: Translate, outcome: SyncOutcome) -> str:
    """`Sync finished: 1 interview sent · 0 interviews returned … · 1 form updated`, or the error."""
    if outcome.error:
        said = failure_words(t, outcome.error_code, outcome.error_params, outcome.error)
        return t("sync.failed", detail=said)
    parts = [
        t("sync.sent", count=outcome.sent + outcome.duplicates),
        t("sync.returned", count=outcome.returned),
        t("sync.forms_updated", count=outcome.forms_updated),
    ]
    if outcome.conflicts + outcome.rejected:
        parts.append(t("sync.refused", count=outcome.conflicts + outcome.rejected))
    return f"{t('sync.done')}: {' · '.join(parts)}"


def is_refusal(outcome: SyncOutcome) -> bool:
    """The server said no (token refused, request or interviews refused), not "no answer"."""
    return outcome.error_code in REFUSALS or outcome.conflicts + outcome.rejected > 0


def when_words(t: Translate, language: str, moment: dt.datetime, now: dt.datetime) -> str:
    """`today 14:32`, `yesterday 09:10`, else the date and time, in the device's local time."""
    local, today = moment.astimezone(), now.astimezone().date()
    days = (today - local.date()).days
    day = {0: t("time.today"), 1: t("time.yesterday")}.get(days) or format_date(
        local.date(), language
    )
    return t("time.day_at", day=day, time=local.strftime("%H:%M"))


def parse_stamp(text: str) -> dt.datetime:
    """A stored UTC stamp (`2026-12-02T14:32:05Z`) as an aware datetime."""
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


class BackgroundSync:
    """Runs `SyncAgent.run_once` in a worker thread so the screen stays responsive; while
    the agent is already syncing (automatically), it joins that sync."""

    def __init__(self, store: Store, agent: SyncAgent | None = None) -> None:
        self.store = store
        self.agent = agent or SyncAgent(store)
        self._thread: threading.Thread | None = None
        self._busy = threading.Event()

    @property
    def running(self) -> bool:
        """True while a sync runs: ours, from `start` until the outcome is known (before
        `on_done` is called), or the automatic one."""
        return self._busy.is_set() or self.agent.busy

    def start(
        self, t: Translate, on_progress: Progress, on_done: Callable[[SyncOutcome, str], None]
    ) -> bool:
        """Start a sync, or join the automatic one running; False (and nothing started) while
        one started here is still running."""
        if self._busy.is_set():
            return False
        self._busy.set()

        def progress(done: int, total: int, stage: str) -> None:
            words = t(STAGE_WORDS.get(stage, "sync.uploading"))
            on_progress(
                done / total if total else None,
                f"{words}: {t('sync.progress', done=done, total=total)}",
            )

        def work() -> None:
            try:
                outcome = self.agent.run_once(progress)
            finally:
                self._busy.clear()
            on_done(outcome, outcome_words(t, outcome))

        self._thread = threading.Thread(target=work, name="fieldapp-sync-now", daemon=True)
        self._thread.start()
        return True

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

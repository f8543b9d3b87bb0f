""" "Sync now" off the UI thread: one sync at a time per app, progress and outcome in words."""

from __future__ import annotations

import threading
from collections.abc import Callable

from fieldapp.store import Store
from fieldapp.sync_agent import STAGE_PULL_FORMS, STAGE_PULL_RETURNED, SyncAgent, SyncOutcome
from fieldapp.ui.words import Translate, failure_words

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


class BackgroundSync:
    """Runs `SyncAgent.run_once` in a worker thread so the screen stays responsive."""

    def __init__(self, store: Store, agent: SyncAgent | None = None) -> None:
        self.store = store
        self.agent = agent or SyncAgent(store)
        self._thread: threading.Thread | None = None
        self._busy = threading.Event()

    @property
    def running(self) -> bool:
        """True from `start` until the outcome is known (before `on_done` is called)."""
        return self._busy.is_set()

    def start(
        self, t: Translate, on_progress: Progress, on_done: Callable[[SyncOutcome, str], None]
    ) -> bool:
        """Start a sync; False (and nothing started) while one is still running."""
        if self.running:
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

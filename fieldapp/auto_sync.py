"""Automatic sending: the device's agent syncs by itself once the device is set up.

It syncs at start (so an upload the app was killed in the middle of resumes), soon after
an interview is finalized (the waiting loop looks every WATCH_S), when the app is opened or
resumed or automatic sending is turned on (`nudge`), and on a schedule: every `ceiling_s`
while the server answers and, while it does not, after a jittered backoff that doubles
from `first_s` up to `ceiling_s`. Connectivity changes are only hints (a nudge); a failed
call is the truth. The agent runs one sync at a time, so a "Sync now" pressed meanwhile
joins the running one instead of uploading again.

`FIELDAPP_SYNC_BACKOFF="FIRST,CEILING"` (seconds) sets the schedule; tests use it to wait
fractions of a second instead of minutes.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

from fieldapp.store.records import DRAFT
from fieldapp.sync_agent import SyncAgent, SyncOutcome, autosend_on

__all__ = ["BACKOFF_VARIABLE", "AutoSync", "Backoff"]

log = logging.getLogger("fieldapp.auto_sync")
BACKOFF_VARIABLE: Final = "FIELDAPP_SYNC_BACKOFF"
WATCH_S: Final = 2.0
"""How often the waiting loop looks whether an interview was finalized meanwhile."""


@dataclass(frozen=True)
class Backoff:
    first_s: float = 30.0
    ceiling_s: float = 900.0

    def delay(self, failures: int, rng: random.Random) -> float:
        """Seconds until the next try after `failures` failed tries in a row: the ceiling
        after a success; else uniform in [d/2, d], d doubling from `first_s` up to the
        ceiling, so devices that lost the same server do not all come back at once."""
        if failures == 0:
            return self.ceiling_s
        top = min(self.ceiling_s, self.first_s * 2 ** (failures - 1))
        return rng.uniform(top / 2, top)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> Backoff:
        """The schedule `FIELDAPP_SYNC_BACKOFF="FIRST,CEILING"` names, else the default;
        ValueError naming the variable when it is not two positive numbers, first ≤ ceiling."""
        text = environ.get(BACKOFF_VARIABLE, "").strip()
        if not text:
            return cls()
        try:
            first, ceiling = (float(part) for part in text.split(","))
        except ValueError:
            first = ceiling = -1.0
        if not 0 < first <= ceiling:
            raise ValueError(
                f"{BACKOFF_VARIABLE}={text!r}: give two numbers of seconds, FIRST,CEILING,"
                " with 0 < FIRST <= CEILING (e.g. 30,900)"
            )
        return cls(first, ceiling)


class AutoSync:
    def __init__(
        self,
        agent: SyncAgent,
        backoff: Backoff = Backoff(),
        *,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.time,
        wait: Callable[[float], bool] | None = None,
    ) -> None:
        """`clock` gives epoch seconds; `wait(seconds)` waits for a nudge at most that long
        and says whether one came (tests pass their own, with a clock they move)."""
        self.agent, self.store, self.backoff = agent, agent.store, backoff
        self._rng = rng or random.Random()
        self._clock = clock
        self._nudged = threading.Event()
        self._wait = wait or self._nudged.wait
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.failures = 0
        """Automatic tries that failed in a row."""
        self.next_try: float | None = None
        """When the next automatic try is due (epoch seconds); None while sending is off."""
        self._mark = 0
        self.listeners: list[Callable[[SyncOutcome], None]] = []
        """Told each automatic outcome, from the loop's thread (the open screens)."""

    def start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(
                target=self._loop, name="fieldapp-autosync", daemon=True
            )
            self._thread.start()

    def nudge(self) -> None:
        """Try now (the app was opened or resumed, a network came back, sending turned on)."""
        self._nudged.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._nudged.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def step(self) -> float:
        """One automatic try when sending is on; the seconds until the next one."""
        self._mark = self._finalized_ever()
        if autosend_on(self.store):
            outcome = self.agent.run_once()
            self.failures = self.failures + 1 if outcome.error else 0
            for listener in list(self.listeners):
                try:
                    listener(outcome)
                except Exception:  # a closed page's screen must not end sending
                    log.exception("a screen could not be told of an automatic sync")
        delay = self.backoff.delay(self.failures, self._rng)
        self.next_try = self._clock() + delay if autosend_on(self.store) else None
        return delay

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                delay = self.step()
            except Exception:  # a bug in one try must not end sending for the day
                log.exception("an automatic sync failed")
                self.failures += 1
                delay = self.backoff.delay(self.failures, self._rng)
            self._pause(delay)

    def _pause(self, seconds: float) -> None:
        """Until the delay is over, a nudge comes, or an interview is finalized (since the
        last try began: one finalized while it ran may have come too late for it)."""
        deadline = self._clock() + seconds
        while not self._stop.is_set():
            left = deadline - self._clock()
            if left <= 0:
                return
            if self._wait(min(left, WATCH_S)):
                self._nudged.clear()
                return
            if self._finalized_ever() > self._mark:
                return

    def _finalized_ever(self) -> int:
        """Interviews ever finalized on this device: every state but draft, since only a
        draft can be deleted; it grows by one with each finalize."""
        counts = self.store.counts()
        return sum(counts.values()) - counts.get(DRAFT, 0)

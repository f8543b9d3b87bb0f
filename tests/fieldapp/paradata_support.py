"""A clock the test moves (the store stamps rows and paradata with it) and the audit log read back."""

from __future__ import annotations

import csv
import datetime as dt
import io

from fieldapp.paradata import AUDIT_FILE
from fieldapp.store import Store

START = dt.datetime(2025, 1, 15, 8, 0, tzinfo=dt.UTC)
T0 = int(START.timestamp()) * 1000
"""START in milliseconds since the epoch, as the audit log writes times."""


class Clock:
    def __init__(self, start: dt.datetime = START) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


def audit_rows(store: Store, instance_id: str) -> list[tuple[str, str, int, int | None]]:
    """(event, node, start, end) of the instance's attached audit log, times in ms after T0."""
    text = store.read_attachment(instance_id, AUDIT_FILE).decode("utf-8")
    return [
        (
            row["event"],
            row["node"],
            int(row["start"]) - T0,
            int(row["end"]) - T0 if row["end"] else None,
        )
        for row in csv.DictReader(io.StringIO(text))
    ]


def seconds_on_screens(rows: list[tuple[str, str, int, int | None]]) -> float:
    return sum(end - start for _, _, start, end in rows if end is not None) / 1000

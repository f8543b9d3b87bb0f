"""Outlier fences per (form, district, crop): quartiles of the peers' metric values, cached.

Each submission's metric values (the medians `quality.extract_facts` takes for yield, price,
area, costs and income) are kept one row per metric in `review_metrics`, indexed by
(form_id, district, crop, metric, value), so the values of a group come back sorted from the
index without reading any submission's XML or JSON.

The flags are computed at ingestion. The quartiles of a group are recomputed from that table
when it is small (under `EXACT_BELOW` values: then the fences are exactly those of every
earlier submission, as `statistics.quantiles` gives them) and, above that, once the group has
grown by `REFRESH_SHARE` (5 %) since the last computation. A snapshot is therefore at most
5 % behind its group, and the reading cost per ingestion is constant on average: n values read
once per n/20 insertions. The cache lives in the process; another process writing the same
file only makes it refresh later (every refresh recounts from the table).
"""

from __future__ import annotations

import sqlite3
import statistics
from collections.abc import Mapping

from pydantic import BaseModel

SCHEMA = """
CREATE TABLE IF NOT EXISTS review_metrics (
    instance_id TEXT NOT NULL, form_id TEXT, district TEXT, crop TEXT, metric TEXT NOT NULL,
    value REAL NOT NULL, PRIMARY KEY (instance_id, metric)
);
CREATE INDEX IF NOT EXISTS review_metrics_group
    ON review_metrics (form_id, district, crop, metric, value);
"""

EXACT_BELOW = 40
"""Groups with fewer values than this get fresh quartiles on every ingestion."""
REFRESH_SHARE = 20
"""Larger groups are recomputed after 1/REFRESH_SHARE of their size in new insertions."""

Group = tuple[str, str | None, str]


class Quartiles(BaseModel):
    """The first and third quartile of `count` peer values (inclusive method)."""

    q1: float
    q3: float
    count: int

    def fence(self, factor: float) -> tuple[float, float]:
        spread = self.q3 - self.q1
        return self.q1 - factor * spread, self.q3 + factor * spread


def quartiles(values: list[float]) -> Quartiles | None:
    if len(values) < 2:
        return None
    q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return Quartiles(q1=q1, q3=q3, count=len(values))


class _Snapshot:
    __slots__ = ("size", "since", "by_metric")

    def __init__(self, size: int, by_metric: dict[str, Quartiles]) -> None:
        self.size = size
        self.since = 0
        self.by_metric = by_metric

    def stale(self) -> bool:
        return self.size < EXACT_BELOW or self.since >= max(1, self.size // REFRESH_SHARE)


class PeerFences:
    """The cached quartiles of every group seen by this process (callers hold the write lock)."""

    def __init__(self) -> None:
        self._snapshots: dict[Group, _Snapshot] = {}

    def quartiles(self, connection: sqlite3.Connection, group: Group) -> dict[str, Quartiles]:
        """The quartiles per metric of the group's stored values (the caller's not yet added)."""
        snapshot = self._snapshots.get(group)
        if snapshot is None or snapshot.stale():
            snapshot = self._snapshots[group] = self._compute(connection, group)
        return snapshot.by_metric

    def added(self, group: Group) -> None:
        """Count one new submission of the group (its values were just stored)."""
        snapshot = self._snapshots.get(group)
        if snapshot is not None:
            snapshot.since += 1

    @staticmethod
    def _compute(connection: sqlite3.Connection, group: Group) -> _Snapshot:
        values: dict[str, list[float]] = {}
        cursor = connection.execute(
            "SELECT metric, value FROM review_metrics WHERE form_id = ? AND district IS ?"
            " AND crop = ? ORDER BY metric, value",
            list(group),
        )
        for metric, value in cursor:
            values.setdefault(str(metric), []).append(float(value))
        found = {m: q for m, q in ((m, quartiles(v)) for m, v in values.items()) if q is not None}
        return _Snapshot(max((len(v) for v in values.values()), default=0), found)


def store_metrics(
    connection: sqlite3.Connection, instance_id: str, group: Group, metrics: Mapping[str, float]
) -> None:
    """Replace the submission's metric rows (inside the caller's transaction)."""
    connection.execute("DELETE FROM review_metrics WHERE instance_id = ?", [instance_id])
    connection.executemany(
        "INSERT INTO review_metrics VALUES (?, ?, ?, ?, ?, ?)",
        [(instance_id, *group, metric, value) for metric, value in metrics.items()],
    )

"""Outlier fences per (form, district, crop): quartiles of the peers' metric values, cached.

Each submission's metric values (the medians `quality.extract_facts` takes for yield, price,
area, costs and income) are kept one row per metric by the storage's `QualityFacts` (in
SQLite `review_metrics`, indexed by (form_id, district, crop, metric, value)), so the values
of a group come back sorted from the index without reading any submission's XML or JSON.

The flags are computed at ingestion. The quartiles of a group are recomputed from that table
when it is small (under `EXACT_BELOW` values: then the fences are exactly those of every
earlier submission, as `statistics.quantiles` gives them) and, above that, once the group has
grown by `REFRESH_SHARE` (5 %) since the last computation. A snapshot is therefore at most
5 % behind its group, and the reading cost per ingestion is constant on average: n values read
once per n/20 insertions. The cache lives in the process; another process writing the same
file only makes it refresh later (every refresh recounts from the table).
"""

from __future__ import annotations

import statistics
import threading

from pydantic import BaseModel

from sync.server.storage.repositories import FactsLookup, Group

EXACT_BELOW = 40
"""Groups with fewer values than this get fresh quartiles on every ingestion."""
REFRESH_SHARE = 20
"""Larger groups are recomputed after 1/REFRESH_SHARE of their size in new insertions."""


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
    """The cached quartiles of every group seen by this process (used inside
    `QualityFacts.record`, from the threads that ingest). The lock guards the cache only: a
    recomputation reads under the storage's own lock for the group, which a thread holding
    this one could wait on while the holder of that one waits here."""

    def __init__(self) -> None:
        self._snapshots: dict[Group, _Snapshot] = {}
        self._lock = threading.Lock()

    def quartiles(self, lookup: FactsLookup, group: Group) -> dict[str, Quartiles]:
        """The quartiles per metric of the group's stored values (the caller's not yet added)."""
        with self._lock:
            snapshot = self._snapshots.get(group)
        if snapshot is None or snapshot.stale():
            snapshot = self._compute(lookup, group)
            with self._lock:
                self._snapshots[group] = snapshot
        return snapshot.by_metric

    def added(self, group: Group) -> None:
        """Count one new submission of the group (its values were just stored)."""
        with self._lock:
            snapshot = self._snapshots.get(group)
            if snapshot is not None:
                snapshot.since += 1

    @staticmethod
    def _compute(lookup: FactsLookup, group: Group) -> _Snapshot:
        values: dict[str, list[float]] = {}
        for metric, value in lookup.metric_values(group):
            values.setdefault(metric, []).append(value)
        found = {m: q for m, q in ((m, quartiles(v)) for m, v in values.items()) if q is not None}
        return _Snapshot(max((len(v) for v in values.values()), default=0), found)

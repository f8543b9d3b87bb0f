"""The review queue and the enumerator dashboard over 100,000 living-income submissions: a
page and its total, as the supervisor screens ask for them, against the bare indexed SELECT
of the same page; the dashboard against a bare count per enumerator.

The store is the exports benchmark's (`bench_exports.generate`): 11.5 kB of XML per row,
four districts, six months. A tenth of the submissions carry a decision, so states come
from the reviews table as in the field. Each query runs `RUNS` times and the median counts;
the baseline reads only the page's ids and times, newest first, with no state, flags or
models. Goal: a page and its total within 0.5 s, whatever the filter or the page; the
dashboard within 1 s.
"""

from __future__ import annotations

import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from benchmarks.bench_exports import DISTRICTS, generate
from sync.server.app import open_storage
from sync.server.review_store import QueueFilter, ReviewIndex, index_for
from sync.server.storage import ReviewRecord
from sync.server.storage_sqlite import SqliteStorage

COUNT = 100_000
RUNS = 7
PAGE = 100
GOAL_S = 0.5
GOAL_DASHBOARD_S = 1.0
DECISIONS = ("approved", "has_issues", "rejected")


def median_s(action: Callable[[], object]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _counts(db: sqlite3.Connection, district: str | None) -> object:
    """The least a dashboard reads: interviews per enumerator, from the same facts table."""
    return db.execute(
        "SELECT enumerator, count(*) FROM review_facts WHERE (? IS NULL OR district = ?)"
        " GROUP BY enumerator",
        [district, district],
    ).fetchall()


def _page_and_total(index: ReviewIndex, where: QueueFilter) -> object:
    """What the screens ask for each time the queue is shown."""
    return index.queue(where), index.queue_count(where)


def run(count: int = COUNT) -> str:
    with tempfile.TemporaryDirectory(prefix="bench-queue-") as name:
        data = Path(name) / "data"
        start = time.perf_counter()
        generate(data, count)
        storage, _ = open_storage(data)
        assert isinstance(storage, SqliteStorage)
        storage.db.execute("PRAGMA synchronous = OFF")  # setting up: no fsync per decision
        for n in range(0, count, 10):
            storage.add_review(ReviewRecord(f"uuid:bench-{n:07d}", DECISIONS[n // 10 % 3], "",
                                            {}, "sue", "2026-07-01T00:00:00Z", 0))  # fmt: skip
        index = index_for(storage)  # records the quality facts of every submission
        prepared = time.perf_counter() - start
        db = storage.db.conn

        def bare(offset: int, district: str | None) -> Callable[[], object]:
            where, params = ("WHERE district = ?", [district]) if district else ("", [])
            sql = (f"SELECT instance_id, submitted_at FROM submissions {where}"
                   " ORDER BY submitted_at DESC, instance_id DESC LIMIT ? OFFSET ?")  # fmt: skip
            return lambda: db.execute(sql, [*params, PAGE, offset]).fetchall()

        cases = (
            ("first page, all districts", QueueFilter(limit=PAGE), bare(0, None)),
            ("page 51 (from the 5,001st)", QueueFilter(limit=PAGE, offset=5000), bare(5000, None)),
            ("first page, one district", QueueFilter(limit=PAGE, district=DISTRICTS[0]),
             bare(0, DISTRICTS[0])),
            ("first page, state received", QueueFilter(limit=PAGE, state="received"),
             bare(0, None)),
            ("first page, state rejected", QueueFilter(limit=PAGE, state="rejected"),
             bare(0, None)),
        )  # fmt: skip
        lines = [
            f"{count:,} submissions of `living_income_household` with a decision on every"
            f" tenth, stored and their quality facts recorded in {prepared:.0f} s. Median of"
            f" {RUNS}; a page is {PAGE} rows; the baseline is the bare indexed SELECT of the"
            " page's ids, newest first.",
            "",
            "| queue | bare SELECT ms | page ms | total ms | page + total ms | vs bare |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        worst = 0.0
        for title, where, baseline in cases:
            floor = median_s(baseline)
            page = median_s(partial(index.queue, where))
            total = median_s(partial(index.queue_count, where))
            both = median_s(partial(_page_and_total, index, where))
            worst = max(worst, both)
            lines.append(
                f"| {title} | {floor * 1000:.2f} | {page * 1000:.0f} | {total * 1000:.0f} |"
                f" {both * 1000:.0f} | {both / floor:,.0f}x |"
            )
        lines += [
            "",
            "| dashboard | bare count per enumerator ms | dashboard ms | vs bare |",
            "|---|---:|---:|---:|",
        ]
        slowest = 0.0
        for title, district in (("all districts", None), ("one district", DISTRICTS[0])):
            floor = median_s(partial(_counts, db, district))
            took = median_s(partial(index.dashboard, district))
            slowest = max(slowest, took)
            lines.append(
                f"| {title} | {floor * 1000:.1f} | {took * 1000:.0f} | {took / floor:,.1f}x |"
            )
        storage.db.conn.close()
    verdict = "met" if worst <= GOAL_S else "NOT met"
    board = "met" if slowest <= GOAL_DASHBOARD_S else "NOT met"
    lines += [
        "",
        f"Slowest page with its total: {worst * 1000:.0f} ms (goal ≤ {GOAL_S} s), {verdict};"
        f" slowest dashboard: {slowest * 1000:.0f} ms (goal ≤ {GOAL_DASHBOARD_S} s), {board}.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    print(run(int(sys.argv[1]) if len(sys.argv) > 1 else COUNT))

"""The review queue and the enumerator dashboard over 100,000 living-income submissions: a
page and its total, as the supervisor screens ask for them, each against a plain SQL query
applying the same filter to the same store; the dashboard against a plain count per
enumerator of the same district.

The store is the exports benchmark's (`living_income_store.generate`): households answered
through FormSession, four districts, six months. A tenth of the submissions carry a
decision, so states come from the reviews table as in the field. The plain queries are
written here, apart from the review index's: the page's ids newest first and the count of
the same rows, with the filter's district and state (the latest decision, none for
received; a superseded version excluded unless asked for), and no flags or models. Before
any timing, each case's page must hold the same ids in the same order as its plain query,
its total the same count, and the dashboard the same interviews per enumerator; a
difference stops the run. Each query runs `RUNS` times and the median counts. Goal: a page
and its total within 0.5 s, whatever the filter or the page; the dashboard within 1 s.
"""

from __future__ import annotations

import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from benchmarks.living_income_store import DISTRICTS, generate
from sync.server.app import open_storage
from sync.server.review.store import QueueFilter, ReviewIndex, index_for
from sync.server.storage import ReviewRecord
from sync.server.storage.sqlite import SqliteStorage

COUNT = 100_000
RUNS = 7
PAGE = 100
CASES = (
    ("first page, all districts", QueueFilter(limit=PAGE)),
    ("page 51 (from the 5,001st)", QueueFilter(limit=PAGE, offset=5000)),
    ("first page, one district", QueueFilter(limit=PAGE, district=DISTRICTS[0])),
    ("first page, state received", QueueFilter(limit=PAGE, state="received")),
    ("first page, state rejected", QueueFilter(limit=PAGE, state="rejected")),
    ("first page, one district, state approved",
     QueueFilter(limit=PAGE, district=DISTRICTS[2], state="approved")),
)  # fmt: skip
"""The queue pages timed, here on SQLite and in `bench_pg_scale` on PostgreSQL."""
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


SUPERSEDED = "EXISTS (SELECT 1 FROM submissions n WHERE n.deprecated_id = s.instance_id)"
LATEST = (
    "(SELECT r.decision FROM reviews r WHERE r.instance_id = s.instance_id"
    " ORDER BY r.seq DESC LIMIT 1)"
)


def plain_where(where: QueueFilter) -> tuple[str, list[object]]:
    """The filter as a plain WHERE clause on `submissions s`."""
    clauses: list[str] = []
    params: list[object] = []
    if where.district:
        clauses.append("s.district = ?")
        params.append(where.district)
    if where.state == "received":
        clauses.append(f"{LATEST} IS NULL AND NOT {SUPERSEDED}")
    elif where.state:
        clauses.append(f"{LATEST} = ? AND NOT {SUPERSEDED}")
        params.append(where.state)
    else:
        clauses.append(f"NOT {SUPERSEDED}")
    return " AND ".join(clauses), params


def plain_page(db: sqlite3.Connection, where: QueueFilter) -> tuple[list[str], int]:
    """The page's ids, newest first, and the count of every matching row."""
    clause, params = plain_where(where)
    ids = db.execute(
        f"SELECT s.instance_id FROM submissions s WHERE {clause}"
        " ORDER BY s.submitted_at DESC, s.instance_id DESC LIMIT ? OFFSET ?",
        [*params, where.limit, where.offset],
    ).fetchall()
    [(total,)] = db.execute(f"SELECT count(*) FROM submissions s WHERE {clause}", params)
    return [row[0] for row in ids], int(total)


def plain_counts(db: sqlite3.Connection, district: str | None) -> dict[str, int]:
    """The least a dashboard reads: interviews per enumerator."""
    rows = db.execute(
        "SELECT enumerator, count(*) FROM submissions WHERE (? IS NULL OR district = ?)"
        " GROUP BY enumerator",
        [district, district],
    )
    return {str(name): int(count) for name, count in rows}


def _page_and_total(index: ReviewIndex, where: QueueFilter) -> tuple[list[str], int]:
    """What the screens ask for each time the queue is shown (the page's ids kept)."""
    return [row.instance_id for row in index.queue(where)], index.queue_count(where)


def _dashboard(index: ReviewIndex, district: str | None) -> dict[str, int]:
    return {stats.enumerator: stats.interviews for stats in index.dashboard(district)}


def _same(title: str, ours: object, plain: object) -> None:
    if ours != plain:
        raise RuntimeError(f"{title}: the review index and the plain query disagree")


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

        for title, where in CASES:
            _same(title, _page_and_total(index, where), plain_page(db, where))
        boards = (("all districts", None), ("one district", DISTRICTS[0]))
        for title, district in boards:
            _same(f"dashboard, {title}", _dashboard(index, district), plain_counts(db, district))
        lines = [
            f"{count:,} submissions of `living_income_household` with a decision on every"
            f" tenth, stored and their quality facts recorded in {prepared:.0f} s. Median of"
            f" {RUNS}; a page is {PAGE} rows; each baseline is a plain SQL query of the page's"
            " ids and their count with the same filter, checked to give the same ids and total.",
            "",
            "| queue | matching | plain SQL page + count ms | page ms | total ms |"
            " page + total ms | vs plain |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        worst = 0.0
        for title, where in CASES:
            matching = index.queue_count(where)
            floor = median_s(partial(plain_page, db, where))
            page = median_s(partial(index.queue, where))
            total = median_s(partial(index.queue_count, where))
            both = median_s(partial(_page_and_total, index, where))
            worst = max(worst, both)
            lines.append(
                f"| {title} | {matching:,} | {floor * 1000:.1f} | {page * 1000:.0f} |"
                f" {total * 1000:.0f} | {both * 1000:.0f} | {both / floor:,.1f}x |"
            )
        lines += [
            "",
            "| dashboard | plain count per enumerator ms | dashboard ms | vs plain |",
            "|---|---:|---:|---:|",
        ]
        slowest = 0.0
        for title, district in boards:
            floor = median_s(partial(plain_counts, db, district))
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

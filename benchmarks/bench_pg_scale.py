"""The review queue, dashboard, CSV export and living income report at 1,000,000 living
income submissions in PostgreSQL, against the same at 100,000 in the same run.

`BASE` households of the exports benchmark's pool go in through a real `fieldapp-server
serve` on PostgreSQL (batch API, four clients), so every quality fact, export row and report
row is the server's own; a decision is added on every tenth. `pg_multiply` then copies them
inside PostgreSQL to 100,000 submissions, where everything is measured, then to 1,000,000,
where it is measured again. After each multiplication: `VACUUM (ANALYZE)` (what autovacuum
does in a live database) and the exports' and report's backfills, which a server runs at each
export and report: timed apart, as they would have been spread over the months of arrival.

Checks before any timing: the queue's total of all districts equals the stored submissions,
each district a quarter, every page full; the dashboard's interviews add up to the same; the
export's rows equal the submissions; the report's households equal the submissions received.
Goals (issue #18) at 1,000,000: queue page with its total ≤ 0.5 s, dashboard ≤ 1 s, CSV
export ≥ 5,000 submissions/s, report ≤ 60 s.
"""

from __future__ import annotations

import tempfile
import time
from functools import partial
from pathlib import Path

import psycopg

from benchmarks.bench_exports import EXPORT, REPORT, measure
from benchmarks.bench_ingest import batch_bodies, running_server
from benchmarks.bench_queue import CASES, DECISIONS, PAGE, RUNS, median_s
from benchmarks.living_income_households import FORM_ID
from benchmarks.living_income_store import DISTRICTS, POOL, pool
from benchmarks.pg_multiply import multiply
from benchmarks.pg_support import (
    close,
    database_in_environment,
    durable_databases,
    prepare,
    send_from_clients,
)
from sync.server.app import open_storage
from sync.server.exports.stored import backfill as export_backfill
from sync.server.report.index import backfill as report_backfill
from sync.server.review.store import QueueFilter, ReviewIndex, index_for
from sync.server.storage import ReviewRecord, Storage

BASE = POOL
STEPS = (100_000, 1_000_000)
CLIENTS = 4
GOALS = {"queue": 0.5, "dashboard": 1.0, "csv": 5000.0, "report": 60.0}
BOARDS = (("dashboard, all districts", None), ("dashboard, one district", DISTRICTS[0]))
Figures = dict[str, float]


def load_base(data: Path, url: str) -> float:
    """The pool's `BASE` households through the server, a decision on every tenth; seconds."""
    xmls = list(pool(BASE))
    tokens = prepare(data, url, 40)
    started = time.perf_counter()
    with running_server(data, options=("--database", url)) as server:
        targets = [(server, token, batch_bodies(xmls[n::CLIENTS]))
                   for n, token in enumerate(tokens[:CLIENTS])]  # fmt: skip
        send_from_clients(targets, len(xmls))
    storage, _ = open_storage(data, url)
    for n in range(0, BASE, 10):
        storage.add_review(ReviewRecord(f"uuid:bench-{n:07d}", DECISIONS[n // 10 % 3], "", {},
                                        "sue", "2026-07-01T00:00:00Z", 0))  # fmt: skip
    close(storage)
    return time.perf_counter() - started


def grow(data: Path, url: str, copies: int, target: int) -> Figures:
    """From `copies` copies of the base (1: the base alone) to `target` submissions; seconds
    taken by each step."""
    started = time.perf_counter()
    multiply(url, BASE, copies, target // BASE - 1)
    copied = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
    vacuumed = time.perf_counter()
    storage, _ = open_storage(data, url)
    export_backfill(storage)
    report_backfill(storage)
    close(storage)
    return {"copy": copied - started, "vacuum": vacuumed - copied,
            "backfill": time.perf_counter() - vacuumed}  # fmt: skip


def _page_and_total(index: ReviewIndex, where: QueueFilter) -> tuple[int, int]:
    return len(index.queue(where)), index.queue_count(where)


def _check(what: str, found: int, wanted: int) -> None:
    if found != wanted:
        raise RuntimeError(f"{what}: {found:,}, not {wanted:,}")


def queries(storage: Storage, count: int) -> Figures:
    """The queue cases and dashboards: checked, then the median of `bench_queue.RUNS`."""
    index = index_for(storage)
    _check("stored submissions", storage.count_submissions(), count)
    _check("queue total, all districts", index.queue_count(QueueFilter()), count)
    _check("queue total, one district", index.queue_count(CASES[2][1]), count // 4)
    for title, where in CASES:
        rows = min(PAGE, index.queue_count(where) - where.offset)
        _check(f"{title}: page rows", len(index.queue(where)), rows)
    for title, district in BOARDS:
        interviews = sum(s.interviews for s in index.dashboard(district))
        _check(f"{title}: interviews", interviews, count // (4 if district else 1))
    figures = {title: median_s(partial(_page_and_total, index, where)) for title, where in CASES}
    for title, district in BOARDS:
        figures[title] = median_s(partial(index.dashboard, district))
    figures["received"] = index.queue_count(QueueFilter(state="received"))
    return figures


def exports(data: Path, url: str, folder: Path, count: int, received: int) -> Figures:
    """The CSV export and the report, each in a fresh process (`bench_exports.measure`)."""
    with database_in_environment(url):
        rows, csv_s, *_ = measure(EXPORT, str(data), FORM_ID, str(folder / "out.csv.zip"), "csv")
        households, report_s, *_ = measure(REPORT, str(data), FORM_ID)
    _check("CSV export rows", rows, count)
    _check("report households", households, received)
    return {"csv": count / csv_s, "csv s": csv_s, "report": report_s}


def database_size(url: str) -> float:
    with psycopg.connect(url) as conn:
        [(size,)] = conn.execute("SELECT pg_database_size(current_database())").fetchall()
    return int(size) / 1e9


def measure_steps(folder: Path, url: str) -> tuple[float, dict[int, Figures]]:
    data = folder / "data"
    loaded = load_base(data, url)
    results: dict[int, Figures] = {}
    copies = 1
    for count in STEPS:
        figures = grow(data, url, copies, count)
        copies = count // BASE
        storage, _ = open_storage(data, url)
        figures.update(queries(storage, count))
        close(storage)
        figures.update(exports(data, url, folder, count, int(figures["received"])))
        figures["GB"] = database_size(url)
        results[count] = figures
    return loaded, results


def run() -> str:
    with tempfile.TemporaryDirectory(prefix="bench-pg-scale-") as name, durable_databases() as make:
        loaded, results = measure_steps(Path(name), make())
    small, large = (results[count] for count in STEPS)
    lines = [
        f"{BASE:,} living income households (the exports benchmark's pool) ingested through"
        f" a real `fieldapp-server serve` on PostgreSQL in {loaded:.0f} s (batch API,"
        f" {CLIENTS} clients), a decision on every tenth, then multiplied inside PostgreSQL"
        " (`benchmarks/pg_multiply.py`): copy k of submission src is submission n = k ×"
        f" {BASE:,} + src, with instanceID and household ID n in the XML (SHA-256 recomputed)"
        " and in every derived row, submitted k hours earlier, district n mod 4, enumerator"
        " n mod 40 (each in one district) and a decision number past the base's; answers,"
        " flags, facts, metric values and export rows as ingested. Durable cluster (fsync,"
        " synchronous_commit, full_page_writes on).",
        "",
        f"| step | {STEPS[0]:,} | {STEPS[1]:,} |",
        "|---|---:|---:|",
        *(f"| {title} | {small[key]:,.0f} s | {large[key]:,.0f} s |" for key, title in (
            ("copy", "multiplying (INSERT … SELECT)"), ("vacuum", "VACUUM (ANALYZE)"),
            ("backfill", "exports' and report's backfills catching up"))),
        f"| database size | {small['GB']:.1f} GB | {large['GB']:.1f} GB |",
        "",
        f"Median of {RUNS} runs (queue and dashboard); a page is {PAGE} rows.",
        "",
        f"| operation | {STEPS[0]:,} | {STEPS[1]:,} | time, {STEPS[1]:,} vs {STEPS[0]:,} |"
        f" goal at {STEPS[1]:,} |",
        "|---|---:|---:|---:|---|",
    ]  # fmt: skip
    verdicts = []
    for title, _ in (*CASES, *BOARDS):
        goal = GOALS["dashboard" if title in dict(BOARDS) else "queue"]
        verdicts.append(large[title] <= goal)
        what = "" if title in dict(BOARDS) else "queue page + total, "
        lines.append(
            f"| {what}{title} | {small[title] * 1000:.0f} ms | {large[title] * 1000:.0f} ms |"
            f" {large[title] / small[title]:.1f}x | ≤ {goal:g} s: {_verdict(verdicts[-1])} |"
        )
    verdicts += [large["csv"] >= GOALS["csv"], large["report"] <= GOALS["report"]]
    lines += [
        f"| CSV export (Central's shape, 8 tables), submissions/s | {small['csv']:,.0f}"
        f" ({small['csv s']:.0f} s) | {large['csv']:,.0f} ({large['csv s']:.0f} s) |"
        f" {small['csv'] / large['csv']:.1f}x per submission | ≥ {GOALS['csv']:,.0f}/s:"
        f" {_verdict(verdicts[-2])} |",
        f"| living income report (households received) | {small['report']:.1f} s |"
        f" {large['report']:.1f} s | {large['report'] / small['report']:.1f}x |"
        f" ≤ {GOALS['report']:g} s: {_verdict(verdicts[-1])} |",
        "",
        f"Goals at {STEPS[1]:,}: {sum(verdicts)} of {len(verdicts)} met. The cluster's folder"
        " was deleted after the run.",
    ]
    return "\n".join(lines)


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"


if __name__ == "__main__":
    print(run())

"""What the PostgreSQL benchmarks share: a durable throwaway cluster, a server's data set up
for living income submissions, batches sent from several clients at once, and the numbers
both backends must agree on after a run.

The cluster is the tests' (`tests/postgres_cluster.py`: initdb in a temporary folder, its
own port, deleted afterwards) but keeps PostgreSQL's durability: fsync, synchronous commit
and full page writes on, as SQLite runs with `synchronous=FULL`.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from benchmarks.bench_ingest import send_batches
from benchmarks.living_income_households import FORM, FORM_ID
from benchmarks.living_income_store import DISTRICTS
from sync.server.api.auth import add_user
from sync.server.app import open_storage
from sync.server.exports.source import STATES, ExportFilter
from sync.server.publish import publish_file
from sync.server.report.build import report_for
from sync.server.review.store import QueueFilter, index_for
from sync.server.storage import Storage
from sync.server.storage.open import DATABASE_ENV
from tests.postgres_cluster import DatabaseMaker, running_cluster

DURABLE = ("shared_buffers=1GB", "max_wal_size=8GB", "max_connections=200")
"""Only sizes beside PostgreSQL's defaults (fsync, synchronous_commit and full_page_writes
stay on): a gigabyte of cache on a 23 GB machine, and checkpoints spaced for bulk loads."""

TICKS = os.sysconf("SC_CLK_TCK")


@contextmanager
def database_in_environment(url: str) -> Iterator[None]:
    """FIELDAPP_DATABASE_URL set to `url` for the processes started in the block."""
    before = os.environ.get(DATABASE_ENV)
    os.environ[DATABASE_ENV] = url
    try:
        yield
    finally:
        if before is None:
            del os.environ[DATABASE_ENV]
        else:
            os.environ[DATABASE_ENV] = before


@contextmanager
def durable_databases() -> Iterator[DatabaseMaker]:
    """A maker of empty databases (each call a URL) on a fresh cluster with durable
    settings; the cluster and its folder are deleted when the block ends."""
    with running_cluster(DURABLE) as cluster, cluster.databases() as make:
        yield make


def prepare(data: Path, database: str, users: int) -> list[str]:
    """Publish the living income form and add `users` enumerators (`enum0`…, spread over
    the four districts) to the server of `data` and `database` (`sqlite:`: SQLite in
    `data`); their tokens."""
    storage, blobs = open_storage(data, database)
    publish_file(storage, blobs, FORM, runs=1)
    tokens = [add_user(storage, f"enum{i}", "enumerator", DISTRICTS[i % 4]) for i in range(users)]
    close(storage)
    return tokens


def close(storage: Storage) -> None:
    """Close the storage's connections (its pools, or its SQLite connection)."""
    storage.close()


@dataclass(frozen=True)
class Sent:
    """One ingestion run: submissions, seconds, and the CPU seconds over the same time of
    the client threads, the server processes, PostgreSQL's processes and the whole machine
    (every process, every core)."""

    count: int
    seconds: float
    client_cpu: float
    server_cpu: float
    database_cpu: float
    machine_cpu: float

    @property
    def rate(self) -> float:
        return self.count / self.seconds


def _busy_cpu_seconds() -> float:
    """CPU seconds the machine has spent not idle since it started (/proc/stat)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return (sum(fields[:8]) - idle) / TICKS


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:  # the thread ended meanwhile
            continue
    return found


def tree_cpu(pid: int) -> float:
    """CPU seconds of process `pid` and its descendants still running (0 once it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        children = _children(pid)
    except OSError:
        return 0.0
    utime, stime = stat.rpartition(")")[2].split()[11:13]
    return (int(utime) + int(stime)) / TICKS + sum(tree_cpu(child) for child in children)


def _servers_cpu() -> float:
    """CPU seconds of this process's children (the servers it started) and theirs."""
    return sum(tree_cpu(child) for child in _children(os.getpid()))


def postmaster(make: DatabaseMaker) -> int:
    """The process id of the cluster's postmaster, parent of every PostgreSQL process."""
    return int((make.cluster.data / "postmaster.pid").read_text().split()[0])


def send_from_clients(
    targets: list[tuple[str, str, list[bytes]]], count: int, database_pid: int | None = None
) -> Sent:
    """Each (server URL, token, batches) sent by a client thread of its own, all at once
    (`count` submissions in all); the first failure stops the run. `database_pid`: the
    postmaster whose processes' CPU is counted as the database's."""
    failures: list[BaseException] = []
    start = threading.Barrier(len(targets) + 1)

    def client(url: str, token: str, bodies: list[bytes]) -> None:
        start.wait()
        try:
            send_batches(url, token, bodies)
        except BaseException as error:  # reported after the others end
            failures.append(error)

    threads = [threading.Thread(target=client, args=target) for target in targets]
    for thread in threads:
        thread.start()
    cpu = (time.process_time(), _servers_cpu(), _database_cpu(database_pid), _busy_cpu_seconds())
    began = time.perf_counter()
    start.wait()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    after = (time.process_time(), _servers_cpu(), _database_cpu(database_pid), _busy_cpu_seconds())
    if failures:
        raise RuntimeError(f"a client failed: {failures[0]}") from failures[0]
    return Sent(count, seconds, *(end - begin for begin, end in zip(cpu, after, strict=True)))


def _database_cpu(pid: int | None) -> float:
    return 0.0 if pid is None else tree_cpu(pid)


@dataclass(frozen=True)
class Outcome:
    """What a server holds after a run: stored submissions, the review queue's total (all,
    per district) and the report's households (every review state) with its groups' sizes
    and medians."""

    stored: int
    queue: tuple[int, ...]
    households: int
    groups: tuple[tuple[str, str, int, float], ...]


def outcome(data: Path, database: str) -> Outcome:
    storage, _ = open_storage(data, database)
    try:
        index = index_for(storage)
        queue = tuple(
            index.queue_count(QueueFilter(district=district)) for district in (None, *DISTRICTS)
        )
        report = report_for(storage, FORM_ID, ExportFilter(states=STATES))
        groups = tuple((g.by, g.group, g.n, round(g.median_income.value, 2)) for g in report.groups)
        households = len(report.households) + len(report.skipped)
        return Outcome(storage.count_submissions(), queue, households, groups)
    finally:
        close(storage)

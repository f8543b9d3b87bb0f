"""Export jobs, their tickets, a rate limit and work locks for the one process that opens a
SQLite file.

Jobs and tickets are kept in the file, on the storage's connection under its lock, so the
code above is the same as on PostgreSQL (`storage.repositories.Jobs`), and a finished job
outlives a restart. Times are seconds since the epoch from SQLite's clock. The rate limit
and the work locks live in the process's memory: one process serves a SQLite file.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sync.server.storage.repositories import JOB_COLUMNS, JobRow
from sync.server.storage.sqlite.quality import derived_transaction

NOW = "((julianday('now') - 2440587.5) * 86400.0)"
"""SQLite's clock in seconds since the epoch."""
SCHEMA = (
    """CREATE TABLE IF NOT EXISTS export_jobs (
        id TEXT PRIMARY KEY, owner TEXT NOT NULL, form_id TEXT NOT NULL, kind TEXT NOT NULL,
        chosen TEXT NOT NULL, file TEXT NOT NULL, filename TEXT NOT NULL,
        media_type TEXT NOT NULL, state TEXT NOT NULL, done INTEGER NOT NULL DEFAULT 0,
        total INTEGER NOT NULL DEFAULT 0, message TEXT NOT NULL DEFAULT '',
        started REAL NOT NULL, lease_until REAL NOT NULL, finished REAL)""",
    "CREATE INDEX IF NOT EXISTS export_jobs_owner ON export_jobs (owner, started)",
    """CREATE TABLE IF NOT EXISTS export_tickets (
        ticket_hash TEXT PRIMARY KEY, job_id TEXT NOT NULL, expires REAL NOT NULL,
        used INTEGER NOT NULL DEFAULT 0)""",
)


class SqliteJobs:
    def __init__(self, connection: sqlite3.Connection, lock: threading.RLock) -> None:
        self.connection, self.lock = connection, lock
        with self.lock:
            for statement in SCHEMA:
                self.connection.execute(statement)

    def _rows(self, sql: str, params: list[Any]) -> list[dict[str, Any]]:
        cursor = self.connection.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def add(self, job: JobRow, lease: float, running_limit: int) -> bool:
        with self.lock, derived_transaction(self.connection):
            running = self.connection.execute(
                "SELECT count(*) FROM export_jobs WHERE owner = ? AND state = 'running'"
                f" AND lease_until > {NOW}",
                [job.owner],
            ).fetchone()[0]
            if running >= running_limit:
                return False
            self.connection.execute(
                "INSERT INTO export_jobs (id, owner, form_id, kind, chosen, file, filename,"
                " media_type, state, started, lease_until)"
                f" VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'running', {NOW}, {NOW} + ?)",
                [job.id, job.owner, job.form_id, job.kind, job.chosen, job.file, job.filename,
                 job.media_type, lease],
            )  # fmt: skip
            return True

    def get(self, job_id: str) -> JobRow | None:
        with self.lock:
            found = self._rows(f"SELECT {JOB_COLUMNS} FROM export_jobs WHERE id = ?", [job_id])
        return JobRow(**found[0]) if found else None

    def of_owner(self, owner: str) -> list[JobRow]:
        with self.lock:
            found = self._rows(
                f"SELECT {JOB_COLUMNS} FROM export_jobs WHERE owner = ? ORDER BY started, id",
                [owner],
            )
        return [JobRow(**r) for r in found]

    def renew(self, job_id: str, done: int, total: int, lease: float) -> None:
        with self.lock, derived_transaction(self.connection):
            self.connection.execute(
                f"UPDATE export_jobs SET done = ?, total = ?, lease_until = {NOW} + ?"
                " WHERE id = ? AND state = 'running'",
                [done, total, lease, job_id],
            )

    def finish(self, job_id: str, state: str, done: int, total: int, message: str) -> None:
        with self.lock, derived_transaction(self.connection):
            self.connection.execute(
                "UPDATE export_jobs SET state = ?, done = ?, total = ?, message = ?,"
                f" finished = {NOW} WHERE id = ? AND state = 'running'",
                [state, done, total, message, job_id],
            )

    def lapse(self, message: str) -> list[JobRow]:
        with self.lock, derived_transaction(self.connection):
            found = self._rows(
                f"UPDATE export_jobs SET state = 'failed', message = ?, finished = {NOW}"
                f" WHERE state = 'running' AND lease_until <= {NOW} RETURNING {JOB_COLUMNS}",
                [message],
            )
        return [JobRow(**r) for r in found]

    def expire(self, keep: float) -> list[JobRow]:
        with self.lock, derived_transaction(self.connection):
            found = self._rows(
                f"DELETE FROM export_jobs WHERE finished <= {NOW} - ? RETURNING {JOB_COLUMNS}",
                [keep],
            )
            self.connection.executemany(
                "DELETE FROM export_tickets WHERE job_id = ?", [[r["id"]] for r in found]
            )
            self.connection.execute(f"DELETE FROM export_tickets WHERE expires < {NOW}")
        return [JobRow(**r) for r in found]

    def add_ticket(self, job_id: str, ticket_hash: str, valid: float) -> None:
        with self.lock, derived_transaction(self.connection):
            self.connection.execute(
                f"INSERT INTO export_tickets (ticket_hash, job_id, expires) VALUES (?, ?, {NOW} + ?)",
                [ticket_hash, job_id, valid],
            )

    def redeem(self, job_id: str, ticket_hash: str) -> bool:
        with self.lock, derived_transaction(self.connection):
            used = self.connection.execute(
                "UPDATE export_tickets SET used = 1 WHERE ticket_hash = ? AND job_id = ?"
                f" AND used = 0 AND expires > {NOW} RETURNING job_id",
                [ticket_hash, job_id],
            ).fetchall()
        return bool(used)


class MemoryRateLimits:
    """Token buckets in this process's memory, by the monotonic clock."""

    def __init__(self) -> None:
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str, rate: float, burst: float) -> bool:
        moment = time.monotonic()
        with self._lock:
            level, last = self._buckets.get(key, (burst, moment))
            level = min(burst, level + (moment - last) * rate)
            taken = level >= 1
            self._buckets[key] = (level - 1 if taken else level, moment)
        return taken


class ThreadWorkLocks:
    """One lock per name, among the threads of this process."""

    def __init__(self) -> None:
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    @contextmanager
    def hold(self, name: str) -> Iterator[None]:
        with self._guard:
            lock = self._locks.setdefault(name, threading.Lock())
        with lock:
            yield

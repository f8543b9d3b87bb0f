"""Export jobs and their one-time tickets in PostgreSQL, shared by every server process.

A job started through one process is followed and downloaded through any other: its state,
progress and lease are rows here, its file is in the shared exports folder. Times come from
the database's clock, so machines whose clocks differ agree on leases and expiries. The
per-user limit of running jobs is counted and the new job kept under an advisory lock on
the owner, so two processes cannot both let a third job in. A ticket is stored hashed and
used by one `UPDATE … WHERE used = false RETURNING`: two processes redeeming it at once get
one row between them.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg_pool import ConnectionPool

from sync.server.storage.postgres.base import advisory_lock
from sync.server.storage.repositories import JOB_COLUMNS, JobRow

Pool = ConnectionPool[psycopg.Connection[dict[str, Any]]]
LATER = "clock_timestamp() + make_interval(secs => %s)"


class PgJobs:
    def __init__(self, pool: Pool) -> None:
        self.pool = pool

    def _rows(self, sql: str, params: list[Any]) -> list[dict[str, Any]]:
        with self.pool.connection() as connection, connection.transaction():
            return list(connection.execute(sql, params).fetchall())

    def add(self, job: JobRow, lease: float, running_limit: int) -> bool:
        with self.pool.connection() as connection, connection.transaction():
            advisory_lock(connection, f"export jobs of:{job.owner}")
            found = connection.execute(
                "SELECT count(*) AS n FROM export_jobs WHERE owner = %s AND state = 'running'"
                " AND lease_until > clock_timestamp()",
                [job.owner],
            ).fetchone()
            if found is not None and int(found["n"]) >= running_limit:
                return False
            connection.execute(
                "INSERT INTO export_jobs (id, owner, form_id, kind, chosen, file, filename,"
                f" media_type, state, lease_until) VALUES (%s, %s, %s, %s, %s, %s, %s, %s,"
                f" 'running', {LATER})",
                [job.id, job.owner, job.form_id, job.kind, job.chosen, job.file, job.filename,
                 job.media_type, lease],
            )  # fmt: skip
            return True

    def get(self, job_id: str) -> JobRow | None:
        found = self._rows(f"SELECT {JOB_COLUMNS} FROM export_jobs WHERE id = %s", [job_id])
        return JobRow(**found[0]) if found else None

    def of_owner(self, owner: str) -> list[JobRow]:
        found = self._rows(
            f"SELECT {JOB_COLUMNS} FROM export_jobs WHERE owner = %s ORDER BY started, id", [owner]
        )
        return [JobRow(**r) for r in found]

    def renew(self, job_id: str, done: int, total: int, lease: float) -> None:
        self._rows(
            f"UPDATE export_jobs SET done = %s, total = %s, lease_until = {LATER}"
            " WHERE id = %s AND state = 'running' RETURNING id",
            [done, total, lease, job_id],
        )

    def finish(self, job_id: str, state: str, done: int, total: int, message: str) -> None:
        self._rows(
            "UPDATE export_jobs SET state = %s, done = %s, total = %s, message = %s,"
            " finished = clock_timestamp() WHERE id = %s AND state = 'running' RETURNING id",
            [state, done, total, message, job_id],
        )

    def lapse(self, message: str) -> list[JobRow]:
        found = self._rows(
            "UPDATE export_jobs SET state = 'failed', message = %s, finished = clock_timestamp()"
            f" WHERE state = 'running' AND lease_until <= clock_timestamp() RETURNING {JOB_COLUMNS}",
            [message],
        )
        return [JobRow(**r) for r in found]

    def expire(self, keep: float) -> list[JobRow]:
        with self.pool.connection() as connection, connection.transaction():
            found = connection.execute(
                "DELETE FROM export_jobs WHERE finished <= clock_timestamp()"
                f" - make_interval(secs => %s) RETURNING {JOB_COLUMNS}",
                [keep],
            ).fetchall()
            connection.execute("DELETE FROM export_tickets WHERE expires < clock_timestamp()")
        return [JobRow(**r) for r in found]

    def add_ticket(self, job_id: str, ticket_hash: str, valid: float) -> None:
        self._rows(
            "INSERT INTO export_tickets (ticket_hash, job_id, expires)"
            f" VALUES (%s, %s, {LATER}) RETURNING job_id",
            [ticket_hash, job_id, valid],
        )

    def redeem(self, job_id: str, ticket_hash: str) -> bool:
        return bool(
            self._rows(
                "UPDATE export_tickets SET used = true WHERE ticket_hash = %s AND job_id = %s"
                " AND used = false AND expires > clock_timestamp() RETURNING job_id",
                [ticket_hash, job_id],
            )
        )

"""A submission's derived rows (quality facts, report row, export rows) in one transaction.

Each repository of derived rows writes in a transaction of its own when called alone (a
backfill, a recovery, a replaced flag). Ingestion writes all three for one submission right
after its commit: `DerivedWrites.shared` opens one transaction on one pooled connection for
them, and the repositories called by the same thread inside it write there
(`DerivedWrites.transaction`). That is one checkout, one BEGIN and one COMMIT instead of
three each: on PostgreSQL every statement is a round trip to another process, which
SQLite's in-process transactions do not pay.

The rows are derived data (the recovery and the backfills rebuild what is missing), so their
commits need not wait for the disk: the storage gives them a pool of their own whose
connections run with `synchronous_commit = off` (`ASYNCHRONOUS_COMMIT`), where a `SET LOCAL`
in every transaction would be one more round trip. A later durable commit flushes them
along, as the WAL is written in order.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool

Connection = psycopg.Connection[dict[str, Any]]
ASYNCHRONOUS_COMMIT = "-c synchronous_commit=off"
"""The connection option (libpq `options`) of the pool of derived writes."""


class DerivedWrites:
    """Where derived rows are written: the transaction the thread shares, while `shared` is
    open, else one of their own on `pool`."""

    def __init__(self, pool: ConnectionPool[Connection]) -> None:
        self.pool = pool
        self._local = threading.local()

    @property
    def _open(self) -> Connection | None:
        found: Connection | None = getattr(self._local, "connection", None)
        return found

    @property
    def is_shared(self) -> bool:
        """Whether this thread writes into a shared transaction now."""
        return self._open is not None

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """The thread's shared transaction when one is open, else one of its own (committed
        when the block ends, rolled back if it raises)."""
        connection = self._open
        if connection is not None:
            yield connection
            return
        with self.pool.connection() as own, own.transaction():
            yield own

    @contextmanager
    def shared(self) -> Iterator[bool]:
        """Open the thread's shared transaction for the block (a block inside another shares
        the outer one); yields True: what is written inside commits together or not at all."""
        if self._open is not None:
            yield True
            return
        with self.transaction() as connection:
            self._local.connection = connection
            try:
                yield True
            finally:
                self._local.connection = None


def write_rows(connection: Connection, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    """`sql` for each of `rows`: one row is one statement (the usual case at ingestion),
    more go through `executemany`, which pipelines them but costs more for a single one."""
    if len(rows) == 1:
        connection.execute(sql, list(rows[0]))
    elif rows:
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)

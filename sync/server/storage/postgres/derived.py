"""A submission's derived rows (quality facts, report row, export rows) in one transaction.

Each repository of derived rows writes in a transaction of its own when called alone (a
backfill, a recovery, a replaced flag). Ingestion writes all three for one submission right
after its commit: `PostgresStorage.derived_writes` opens one transaction on one pooled
connection for them, and the repositories called by the same thread inside it write there
(`derived_transaction`). That is one checkout, one BEGIN and one COMMIT instead of three
each: on PostgreSQL every statement is a round trip to another process, which SQLite's
in-process transactions do not pay.

The rows are derived data (the recovery and the backfills rebuild what is missing), so the
transaction's commit does not wait for the disk (`DERIVED`): a later durable commit flushes
it along, as the WAL is written in order.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool

Connection = psycopg.Connection[dict[str, Any]]
DERIVED = "SET LOCAL synchronous_commit = off"
"""Run first in a transaction of derived data: its commit need not wait for the disk."""


class SharedTransaction(threading.local):
    """The transaction a thread's derived writes share, while `derived_writes` is open."""

    connection: Connection | None = None


@contextmanager
def derived_transaction(
    pool: ConnectionPool[Connection], shared: SharedTransaction
) -> Iterator[Connection]:
    """The thread's shared transaction when one is open, else one of its own (committed
    when the block ends, rolled back if it raises)."""
    if shared.connection is not None:
        yield shared.connection
        return
    with pool.connection() as connection, connection.transaction():
        connection.execute(DERIVED)
        yield connection


@contextmanager
def shared_transaction(
    pool: ConnectionPool[Connection], shared: SharedTransaction
) -> Iterator[bool]:
    """Open the thread's shared transaction for the block (a block inside another shares
    the outer one); yields True: what is written inside commits together or not at all."""
    if shared.connection is not None:
        yield True
        return
    with derived_transaction(pool, shared) as connection:
        shared.connection = connection
        try:
            yield True
        finally:
            shared.connection = None


def write_rows(connection: Connection, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    """`sql` for each of `rows`: one row is one statement (the usual case at ingestion),
    more go through `executemany`, which pipelines them but costs more for a single one."""
    if len(rows) == 1:
        connection.execute(sql, list(rows[0]))
    elif rows:
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)

"""Per-token rate limits and work locks shared by every process on one PostgreSQL database.

A token's bucket is one row, refilled and taken from in one statement on the database's
clock, so the limit holds across processes and machines. The table is UNLOGGED: its writes
skip the write-ahead log (it is written on every request), and a crash that empties it
only gives every token a full bucket again, which a limit can afford. An update changes no
indexed column, so PostgreSQL updates the row in place (HOT) and the table stays small.

A work lock is a session-level advisory lock on a connection of its own, held for as long
as the work takes (a backfill spans many transactions): the second process waits, then
finds the work done.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool

from sync.server.storage.postgres.base import lock_key

Pool = ConnectionPool[psycopg.Connection[dict[str, Any]]]
REFILLED = (
    "least(%(burst)s, b.level"
    " + greatest(0, extract(epoch FROM clock_timestamp() - b.at)) * %(rate)s)"
)
TAKE = (
    "INSERT INTO rate_buckets AS b (key, level, at, taken)"
    " VALUES (%(key)s, %(burst)s - 1, clock_timestamp(), %(burst)s >= 1)"
    " ON CONFLICT (key) DO UPDATE SET"
    f" level = CASE WHEN {REFILLED} >= 1 THEN {REFILLED} - 1 ELSE {REFILLED} END,"
    f" at = clock_timestamp(), taken = {REFILLED} >= 1"
    " RETURNING taken"
)
"""One request from a bucket: refilled for the time since its last request, one taken if
a whole one is there. A refused request takes nothing, as the in-memory bucket does."""


class PgRateLimits:
    def __init__(self, pool: Pool) -> None:
        self.pool = pool

    def take(self, key: str, rate: float, burst: float) -> bool:
        with self.pool.connection() as connection, connection.transaction():
            found = connection.execute(TAKE, {"key": key, "rate": rate, "burst": burst}).fetchone()
        return bool(found and found["taken"])


class PgWorkLocks:
    def __init__(self, url: str) -> None:
        self.url = url

    @contextmanager
    def hold(self, name: str) -> Iterator[None]:
        with psycopg.connect(self.url, autocommit=True) as connection:
            connection.execute("SELECT pg_advisory_lock(%s)", [lock_key(name)])
            yield

"""The PostgreSQL connection pool of a server: one transaction per call, migrations at start.

Several server processes (and machines) share one database, so nothing here relies on a
lock held in one process: exactly-once rests on unique constraints (`INSERT … ON
CONFLICT`), and what must happen in one order takes a transaction-scoped advisory lock
(`advisory_lock`), released at commit or rollback.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from sync.server.storage.postgres.derived import ASYNCHRONOUS_COMMIT
from sync.server.storage.postgres.schema import MIGRATIONS

MIGRATION_LOCK = "fieldapp:migrations"
EVENTS_LOCK = "fieldapp:events"
"""Held while an event number is taken and until its transaction commits, so that numbers
become visible in the order they were given: a device's pull cursor never passes a return
that commits later with a smaller number."""


class DatabaseUnavailable(Exception):
    """The database cannot serve this server: unreachable, a malformed URL, or a schema
    newer than this code. The message names the database (without its password)."""


def without_password(url: str) -> str:
    """`url` (a postgresql:// URL or a key=value connection string) with its password left
    out: what may be shown, logged or used as a key ("?" for what cannot be read)."""
    if "://" not in url:
        try:
            params = conninfo_to_dict(url)
        except psycopg.Error:
            return "?"
        params.pop("password", None)
        return make_conninfo("", **params)
    try:
        parts = urlsplit(url)
    except ValueError:
        return "?"
    user, _, host = parts.netloc.rpartition("@")
    user = user.split(":", 1)[0]
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k != "password"])
    return f"{parts.scheme}://{user}{'@' if user else ''}{host}{parts.path}" + (
        f"?{query}" if query else ""
    )


def lock_key(name: str) -> int:
    """A stable 32-bit key for `pg_advisory_xact_lock` (same in every process)."""
    return zlib.crc32(name.encode("utf-8"))


def advisory_lock(connection: psycopg.Connection[Any], name: str) -> None:
    """Take the transaction-scoped lock `name`; it is released at commit or rollback."""
    connection.execute("SELECT pg_advisory_xact_lock(%s)", [lock_key(name)])


def _pool(
    url: str, max_size: int, **options: str
) -> ConnectionPool[psycopg.Connection[dict[str, Any]]]:
    """A pool of this process's connections (named `fieldapp-server PID` in
    `pg_stat_activity`) with libpq's connection `options`. Autocommit: one statement alone
    is its own transaction (one round trip, where an implicit BEGIN and the pool's reset
    would add two); several that must hold together always run in
    `connection.transaction()`."""
    return ConnectionPool(
        url,
        min_size=1,
        max_size=max_size,
        kwargs={
            "row_factory": dict_row,
            "autocommit": True,
            "application_name": f"fieldapp-server {os.getpid()}",
            **options,
        },
        open=True,
    )


class PgBase:
    """A pool of connections shared by the worker threads; each call one transaction.

    `url` is a libpq connection string or URL (postgresql://user@host:port/db)."""

    def __init__(self, url: str, *, max_size: int = 8) -> None:
        self.url = url
        self.readers = ExitStack()
        """Closes what was opened on this storage with a pool of its own (review index
        readers) when the storage closes."""
        self._migrate()
        self.pool = _pool(url, max_size)
        self.derived_pool = _pool(url, max_size, options=ASYNCHRONOUS_COMMIT)
        """For derived rows only (`postgres.derived`): their commits do not wait for the disk."""

    def close(self) -> None:
        """End the pools, and the review index readers opened on this storage first."""
        self.readers.close()
        self.derived_pool.close()
        self.pool.close()

    @contextmanager
    def _transaction(self) -> Iterator[psycopg.Connection[dict[str, Any]]]:
        """One transaction on a pooled connection: committed when the block ends, rolled
        back if it raises."""
        with self.pool.connection() as connection:
            with connection.transaction():
                yield connection

    def _rows(
        self, sql: str, params: Sequence[Any] = (), connection: Any = None
    ) -> list[dict[str, Any]]:
        """The rows of one query (a statement of its own unless `connection` is given)."""
        if connection is not None:
            return list(connection.execute(sql, list(params)).fetchall())
        with self.pool.connection() as own:
            return list(own.execute(sql, list(params)).fetchall())

    def _event(self, connection: psycopg.Connection[Any], kind: str, ref: str) -> int:
        """The next event number, inside the caller's transaction (see `EVENTS_LOCK`)."""
        advisory_lock(connection, EVENTS_LOCK)
        row = connection.execute(
            "INSERT INTO events (kind, ref) VALUES (%s, %s) RETURNING seq", [kind, ref]
        ).fetchone()
        assert row is not None
        return int(row["seq"] if isinstance(row, dict) else row[0])

    def _connect(self) -> psycopg.Connection[dict[str, Any]]:
        """A connection of its own, or `DatabaseUnavailable` saying why not (at once, where
        the pool would retry in the background until its timeout)."""
        try:
            return psycopg.connect(self.url, row_factory=dict_row, connect_timeout=10)
        except psycopg.Error as error:
            raise DatabaseUnavailable(
                f"cannot open the database {without_password(self.url)}: {str(error).strip()}"
            ) from None

    def _migrate(self) -> None:
        """Apply the migrations not yet applied, in order, in one transaction; concurrent
        starts of several processes wait for each other on an advisory lock."""
        with self._connect() as connection, connection.transaction():
            advisory_lock(connection, MIGRATION_LOCK)
            connection.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations"
                " (number INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
            )
            found = connection.execute(
                "SELECT coalesce(max(number), 0) AS n FROM schema_migrations"
            ).fetchone()
            applied = int(found["n"]) if found else 0
            if applied > len(MIGRATIONS):
                raise DatabaseUnavailable(
                    f"the database {without_password(self.url)} has {applied} migrations"
                    f" applied and this server knows {len(MIGRATIONS)}: upgrade this server"
                )
            for number, statements in enumerate(MIGRATIONS[applied:], start=applied + 1):
                for statement in statements:
                    connection.execute(statement)
                connection.execute("INSERT INTO schema_migrations (number) VALUES (%s)", [number])

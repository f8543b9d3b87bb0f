"""Opening the SQLite file: pragmas, corruption check, and the one way to write (a transaction).

The connection runs in autocommit mode (`isolation_level=None`); every write goes
through `Connection.write()`, which is `BEGIN IMMEDIATE` ... `COMMIT`. With WAL and
`synchronous=FULL` a returned `COMMIT` is on disk: a killed app or a flat battery
keeps it.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fieldapp.store.errors import StoreError, store_error_from

BUSY_TIMEOUT_MS = 10_000
_SIDE_FILES = ("-wal", "-shm", "-journal")
_QUICK_CHECK = "quick_check: "


Clock = Callable[[], dt.datetime]
"""Where the store's timestamps come from (a test passes a clock it moves itself)."""


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def stamp(moment: dt.datetime) -> str:
    """`moment` in UTC, ISO 8601 with milliseconds and a `Z`: sorts as text."""
    text = moment.astimezone(dt.UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


class Connection:
    """A thread-safe SQLite connection: one writer or reader at a time per `Store`."""

    def __init__(self, path: Path, clock: Clock = system_clock) -> None:
        self.path = path
        self.clock = clock
        self.lock = threading.RLock()
        self.conn = sqlite3.connect(
            path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
        )
        self.conn.row_factory = sqlite3.Row

    def configure(self) -> None:
        """WAL, `synchronous=FULL`, foreign keys; raises `sqlite3.DatabaseError` on a bad file."""
        self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        self.conn.execute("PRAGMA journal_mode = WAL").fetchone()
        self.conn.execute("PRAGMA synchronous = FULL")
        self.conn.execute("PRAGMA foreign_keys = ON")
        result = self.conn.execute("PRAGMA quick_check(1)").fetchone()
        if result is None or result[0] != "ok":
            raise sqlite3.DatabaseError(f"{_QUICK_CHECK}{result[0] if result else 'no answer'}")

    def now(self) -> str:
        """The store clock's time, stamped as every row of the store records it."""
        return stamp(self.clock())

    def close(self) -> None:
        with self.lock:
            self.conn.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One transaction, committed to disk on leaving; rolled back whole on any error.

        Low-level failures (disk full, I/O) become `StoreError`; `StoreError`s raised
        inside pass through after the rollback.
        """
        with self.lock:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as error:
                raise store_error_from(error) from error
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except BaseException as error:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                if isinstance(error, StoreError) or not isinstance(error, sqlite3.Error | OSError):
                    raise
                raise store_error_from(error) from error

    def rows(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        with self.lock:
            try:
                return self.conn.execute(sql, params).fetchall()
            except sqlite3.Error as error:
                raise store_error_from(error) from error

    def row(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> sqlite3.Row | None:
        found = self.rows(sql, params)
        return found[0] if found else None


def open_connection(path: Path, clock: Clock = system_clock) -> tuple[Connection, Path | None]:
    """A configured connection to `path`, and where a corrupt file was moved aside (if it was)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = _configured(path, clock)
        return connection, None
    except sqlite3.DatabaseError as error:
        if not _is_corrupt(error):
            raise store_error_from(error) from error
    except OSError as error:
        raise store_error_from(error) from error
    moved = move_aside(path)
    try:
        return _configured(path, clock), moved
    except sqlite3.Error as error:
        raise store_error_from(error) from error


def _configured(path: Path, clock: Clock) -> Connection:
    connection = Connection(path, clock)
    try:
        connection.configure()
    except BaseException:
        connection.close()
        raise
    return connection


def _is_corrupt(error: sqlite3.DatabaseError) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    return code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB) or str(error).startswith(
        _QUICK_CHECK
    )


def move_aside(path: Path) -> Path:
    """Rename a damaged database (and its WAL/SHM files) to `<name>.corrupt-<UTC timestamp>`."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    path.rename(target)
    for suffix in _SIDE_FILES:
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.rename(target.with_name(target.name + suffix))
    return target

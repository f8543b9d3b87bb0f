"""The SQLite connection of a data directory: WAL, FULL sync, one transaction per call."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlite_utils

from sync.server.storage.sqlite.schema import MIGRATIONS


class SqliteBase:
    """One connection shared by the worker threads, each call a transaction under a lock
    (the parts of `SqliteStorage` build on it)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self.db = sqlite_utils.Database(connection)
        self.db.execute("PRAGMA journal_mode=WAL")
        # An acknowledged submission must survive a power cut, not only a killed process.
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("PRAGMA busy_timeout=5000")
        self._lock = threading.RLock()
        self._migrate()

    def close(self) -> None:
        self.db.conn.close()

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """One explicit transaction under the lock: all of a call's writes or none of them.

        The connection is in autocommit mode, so `with conn:` alone would commit each
        statement on its own."""
        with self._lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                if self.db.conn.in_transaction:
                    self.db.execute("ROLLBACK")
                raise
            if self.db.conn.in_transaction:
                self.db.execute("COMMIT")

    def _migrate(self) -> None:
        with self._transaction():
            applied = int(self.db.execute("PRAGMA user_version").fetchone()[0])
            for number, migration in enumerate(MIGRATIONS[applied:], start=applied + 1):
                migration(self.db)
                self.db.execute(f"PRAGMA user_version = {int(number)}")

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cursor = self.db.execute(sql, list(params))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def _event(self, kind: str, ref: str) -> int:
        cursor = self.db.execute("INSERT INTO events (kind, ref) VALUES (?, ?)", [kind, ref])
        return int(cursor.lastrowid or 0)

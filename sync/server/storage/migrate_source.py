"""The SQLite side of `migrate-data`: a server's database read read-only, in one read
transaction, so that a server still running on it cannot change what is copied half-way
(WAL mode: its writers go on; this reader keeps the snapshot of its first read)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sync.server.storage.migrate_tables import Table

BATCH = 5000
"""Rows held in memory at a time, on each side."""


class MigrationFailed(Exception):
    """Nothing (more) could be copied: the message says why and names the option, never a
    password."""


class SqliteSource:
    """A snapshot of `data/server.db`, open until `close`."""

    def __init__(self, data: Path) -> None:
        self.path = (data / "server.db").resolve()
        if not self.path.is_file():
            raise MigrationFailed(f"--from-data {data}: no server database {self.path} there")
        try:
            self.connection = sqlite3.connect(
                f"file:{self.path}?mode=ro", uri=True, isolation_level=None
            )
            self.connection.execute("PRAGMA busy_timeout=5000")
            self.connection.execute("BEGIN")
            self._tables = {
                str(r[0])
                for r in self.connection.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                )
            }
        except sqlite3.Error as error:
            raise MigrationFailed(
                f"--from-data {data}: cannot read {self.path} ({error})"
            ) from None

    def close(self) -> None:
        self.connection.close()

    def has(self, table: str) -> bool:
        return table in self._tables

    def columns(self, table: str) -> list[str]:
        if table not in self._tables:
            return []
        return [str(r[1]) for r in self.connection.execute(f'PRAGMA table_info("{table}")')]

    def setting(self, key: str) -> str | None:
        found = self.connection.execute("SELECT value FROM settings WHERE key = ?", [key])
        row = found.fetchone()
        return None if row is None else str(row[0])

    def report_version(self) -> int | None:
        if "report_schema" not in self._tables:
            return None
        found = self.connection.execute("SELECT version FROM report_schema WHERE id = 1")
        row = found.fetchone()
        return None if row is None else int(row[0])

    def top(self, table: Table, column: str) -> int:
        """The largest value of a numbered column (0 for an empty or missing table)."""
        if not self.has(table.name):
            return 0
        found = self.connection.execute(
            f'SELECT coalesce(max({table.source_column(column)}), 0) FROM "{table.name}"'
        )
        return int(found.fetchone()[0])

    def rows(self, table: Table, batch: int = BATCH) -> Iterator[list[dict[str, Any]]]:
        """The table's rows in `table.ordering`, a batch at a time (none for a table this
        server never created: derived tables are made on first use)."""
        if not self.has(table.name):
            return
        select = ", ".join(
            f'{table.source_column(c)} AS "{c}"' if table.source_column(c) != c else f'"{c}"'
            for c in table.columns
        )
        order = ", ".join(table.source_column(c) for c in table.ordering)
        cursor = self.connection.execute(f'SELECT {select} FROM "{table.name}" ORDER BY {order}')
        while found := cursor.fetchmany(batch):
            yield [dict(zip(table.columns, row, strict=True)) for row in found]

    def tokens(self) -> dict[str, str]:
        """Each user's token hash (to name the users a foreign target holds otherwise)."""
        found = self.connection.execute("SELECT name, token_hash FROM users")
        return {str(name): str(token) for name, token in found}

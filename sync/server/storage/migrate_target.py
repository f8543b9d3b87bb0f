"""The PostgreSQL side of `migrate-data`: what the target holds already, batches inserted by
their keys (a row already there is never overwritten), the numbering carried on, rows read
back.

Each batch is one transaction: a run stopped anywhere leaves whole batches behind, and the
next run finds them and writes the rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sync.server.storage.migrate_source import BATCH
from sync.server.storage.migrate_tables import NUMBERED, SUBMISSIONS, Table
from sync.server.storage.postgres import PostgresStorage

MARKER = "migrate-data.source"
"""The setting naming the SQLite database a target was copied from (the target's own:
neither copied nor compared)."""
HOLDINGS = ("users", "forms", "submissions", "reviews")
"""What makes a database a server's: any of these rows in it."""


def _quoted(columns: Iterable[str]) -> str:
    return ", ".join(f'"{c}"' for c in columns)


class PgTarget(PostgresStorage):
    """The target database as a server of this version opens it (its migrations applied)."""

    def mark(self, source: str) -> str:
        """Mark the target as a copy of `source` unless it is marked already; the source it
        is a copy of (the settings' key decides between two runs at once)."""
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO settings (key, value) VALUES (%s, %s) ON CONFLICT (key) DO NOTHING",
                [MARKER, source],
            )
            found = conn.execute("SELECT value FROM settings WHERE key = %s", [MARKER]).fetchone()
        assert found is not None
        return str(found["value"])

    def holdings(self) -> dict[str, int]:
        """How many rows of each of `HOLDINGS` the target has (names from code)."""
        return {
            name: int(self._rows(f"SELECT count(*) AS n FROM {name}")[0]["n"]) for name in HOLDINGS
        }

    def tokens(self, names: Sequence[str]) -> dict[str, str]:
        rows = self._rows("SELECT name, token_hash FROM users WHERE name = ANY(%s)", [list(names)])
        return {str(r["name"]): str(r["token_hash"]) for r in rows}

    def top(self, table: Table, column: str) -> int:
        rows = self._rows(f'SELECT coalesce(max("{column}"), 0) AS n FROM "{table.name}"')
        return int(rows[0]["n"])

    def _types(self, table: str) -> dict[str, str]:
        rows = self._rows(
            "SELECT column_name, data_type FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = %s",
            [table],
        )
        return {str(r["column_name"]): str(r["data_type"]) for r in rows}

    def _insert(self, table: Table) -> str:
        types = self._types(table.name)
        values = ", ".join("%s::jsonb" if types.get(c) == "jsonb" else "%s" for c in table.columns)
        overriding = " OVERRIDING SYSTEM VALUE" if table.identity else ""
        return (
            f'INSERT INTO "{table.name}" ({_quoted(table.columns)}){overriding}'
            f" VALUES ({values}) ON CONFLICT DO NOTHING"
        )

    def write(self, table: Table, rows: list[dict[str, Any]]) -> int:
        """Insert a batch in one transaction; how many rows were new. A row whose key (or
        other unique value: a submission's position, a user's token hash) the target holds
        already is left as the target has it: the check names it if it differs."""
        with self._transaction() as conn, conn.cursor() as cursor:
            cursor.executemany(self._insert(table), [[r[c] for c in table.columns] for r in rows])
            return max(cursor.rowcount, 0)

    def carry_numbering(self) -> None:
        """Numbers given after the move follow the copied ones: the events' sequence and
        the submissions' positions continue past the highest copied."""
        with self._transaction() as conn:
            for table, column in (("events", "seq"), (SUBMISSIONS.name, "pos")):
                conn.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, %s), max({column}))"
                    f" FROM {table} HAVING max({column}) IS NOT NULL",
                    [table, column],
                )

    def rows(self, table: Table) -> Iterator[dict[str, Any]]:
        """The table's rows in `table.ordering` (text byte by byte, as SQLite orders it),
        through a server-side cursor, without the target's own marker setting."""
        order = ", ".join(c if c in NUMBERED else f'"{c}" COLLATE "C"' for c in table.ordering)
        local = ' WHERE "key" <> %s' if table.name == "settings" else ""
        with self._connect() as conn, conn.transaction():
            with conn.cursor(name="migrate_data_verify") as cursor:
                cursor.itersize = BATCH
                cursor.execute(
                    f'SELECT {_quoted(table.columns)} FROM "{table.name}"{local} ORDER BY {order}',
                    [MARKER] if local else [],
                )
                yield from cursor

"""The report's household rows in PostgreSQL, on the storage's pool.

The table's layout comes from the report (`report.index.LAYOUT`), numbered, with each
column's type: this module writes PostgreSQL's statements from those types, so the layout
has one source. It is the one derived table not made by a numbered migration, since the
report owns its layout: a table of another number or of other columns is dropped with its
backfill mark (under an advisory lock, one process at a time), and the next backfill
rebuilds every row from the stored submissions. Marks and positions work as the export
rows' do (`export_rows`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import psycopg

from sync.server.storage.postgres.base import advisory_lock
from sync.server.storage.postgres.derived import DerivedWrites, write_rows
from sync.server.storage.postgres.export_rows import (
    STATE_SQL,
    BackfillMark,
    Pool,
    stream_rows,
    where,
)
from sync.server.storage.postgres.quality import upsert_sql
from sync.server.storage.postgres.submissions import LastInserted
from sync.server.storage.repositories import ExportQuery, ReportLayout

REPORT = "report_households"
TYPES = {"TEXT": 'TEXT COLLATE "C"', "INTEGER": "BIGINT", "REAL": "DOUBLE PRECISION"}
"""PostgreSQL's type of each of the layout's column types; text in byte order, as every text
column of the schema (`schema._bytewise`), so joins with `submissions` keep to the indexes."""
CASTS = {"TEXT": "text", "INTEGER": "bigint", "REAL": "double precision"}
"""The same types, for a parameter whose type no VALUES list gives (`_guarded`)."""


def create_statements(layout: ReportLayout) -> tuple[str, ...]:
    """The table of `layout` in PostgreSQL: its columns with their types, keyed by the first."""
    if len(layout.kinds) != len(layout.columns):
        raise ValueError(
            f"the report layout {layout.version} gives {len(layout.kinds)} column types"
            f" for {len(layout.columns)} columns"
        )
    columns = []
    for name, kind in zip(layout.columns, layout.kinds, strict=True):
        base, _, rest = kind.partition(" ")
        if base not in TYPES:
            raise ValueError(f"the report column {name} has the type {kind!r}: not one of {TYPES}")
        columns.append(f"{name} {TYPES[base]} {rest}".rstrip())
    return (
        f"CREATE TABLE {REPORT} ({', '.join(columns)}, PRIMARY KEY ({layout.columns[0]}))",
        f"CREATE INDEX {REPORT}_form ON {REPORT} (form_id)",
    )


def _is_current(connection: psycopg.Connection[Any], layout: ReportLayout) -> bool:
    found = connection.execute(
        "SELECT array(SELECT attname::text FROM pg_attribute WHERE attrelid = to_regclass(%s)"
        " AND attnum > 0 AND NOT attisdropped ORDER BY attnum) AS columns,"
        " (SELECT version FROM report_schema WHERE id = 1) AS version",
        [REPORT],
    ).fetchone()
    assert found is not None
    return tuple(found["columns"]) == layout.columns and found["version"] == layout.version


@functools.cache
def _guarded(layout: ReportLayout) -> str:
    """Upsert one row of `layout` only if the table is still of `layout`'s version (its last
    parameter): the version checked in the same round trip as the row is written."""
    values = ", ".join(f"%s::{CASTS[kind.partition(' ')[0]]}" for kind in layout.kinds)
    guard = "EXISTS (SELECT 1 FROM report_schema WHERE id = 1 AND version = %s)"
    return upsert_sql(REPORT, layout.columns, f"SELECT {values} WHERE {guard}")


def _version(connection: psycopg.Connection[Any]) -> int | None:
    found = connection.execute("SELECT version FROM report_schema WHERE id = 1").fetchone()
    return None if found is None else int(found["version"])


def _ensure(connection: psycopg.Connection[Any], layout: ReportLayout, mark: BackfillMark) -> bool:
    """Make the table of `layout`, replacing one of another layout (inside the caller's
    transaction); reads only when it is current. True: it was made, and exists only if that
    transaction commits."""
    if _is_current(connection, layout):
        return False
    advisory_lock(connection, "fieldapp:report layout")
    if _is_current(connection, layout):  # another process made it meanwhile
        return False
    connection.execute(f"DROP TABLE IF EXISTS {REPORT}")
    mark.forget(connection)
    for statement in create_statements(layout):
        connection.execute(statement)
    connection.execute(
        "INSERT INTO report_schema (id, version) VALUES (1, %s)"
        " ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version",
        [layout.version],
    )
    return True


class PgReportRows:
    def __init__(
        self,
        url: str,
        pool: Pool,
        inserted: LastInserted | None = None,
        derived: DerivedWrites | None = None,
    ) -> None:
        """`derived`: where the rows are written (by default, transactions on `pool`)."""
        self.url, self.pool = url, pool
        self.derived = DerivedWrites(pool) if derived is None else derived
        self.inserted = LastInserted() if inserted is None else inserted
        self.mark = BackfillMark(REPORT)
        self._made: int | None = None
        """The layout version this process found the table of (its columns read once): the
        table is replaced only with its version number, so each write reads that one row,
        not the catalog's rows of every column."""

    def write(self, layout: ReportLayout, rows: list[tuple[Any, ...]], dropped: list[str]) -> None:
        with self.derived.transaction() as connection:
            if self._made == layout.version and len(rows) == 1 and not dropped:
                try:
                    if connection.execute(_guarded(layout), [*rows[0], layout.version]).rowcount:
                        return
                except psycopg.Error:
                    self._made = None  # a table of another layout: looked at again next time
                    raise
            if self._made != layout.version or _version(connection) != layout.version:
                made = _ensure(connection, layout, self.mark)
                # A table made here is trusted once its transaction has committed: the next
                # write checks again (a rolled back one is made again).
                self._made = None if made else layout.version
            if dropped:
                connection.execute(
                    f"DELETE FROM {REPORT} WHERE instance_id = ANY(%s)", [list(dropped)]
                )
            write_rows(connection, upsert_sql(REPORT, layout.columns), rows)

    def position(self, instance_id: str) -> int:
        known = self.inserted.position(instance_id)
        if known is not None:
            return known
        with self.pool.connection() as connection:
            found = connection.execute(
                "SELECT pos FROM submissions WHERE instance_id = %s", [instance_id]
            ).fetchone()
        return int(found["pos"]) if found else 0

    def unchecked(
        self, layout: ReportLayout, forms: list[str]
    ) -> tuple[int, list[tuple[str, int]]]:
        with self.pool.connection() as connection, connection.transaction():
            _ensure(connection, layout, self.mark)
            since, top = self.mark.since(connection)
            rows = connection.execute(
                "SELECT s.instance_id, s.pos FROM submissions s WHERE s.pos > %s"
                " AND s.pos <= %s AND s.form_id = ANY(%s)"
                f" AND NOT EXISTS (SELECT 1 FROM {REPORT} h WHERE h.instance_id = s.instance_id)"
                " AND NOT EXISTS (SELECT 1 FROM submissions n WHERE n.deprecated_id = s.instance_id)"
                " ORDER BY s.pos",
                [since, top, forms],
            ).fetchall()
        return top, [(str(r["instance_id"]), int(r["pos"])) for r in rows]

    def checked(self, top: int) -> None:
        with self.pool.connection() as connection, connection.transaction():
            self.mark.checked(connection, top)

    def households(
        self, form_id: str, chosen: ExportQuery, columns: str
    ) -> Iterator[tuple[Any, ...]]:
        """`columns` of the chosen current households, then their review state ('' when
        `chosen` names no state), in the order they arrived."""
        clauses, params = where(chosen)
        state = STATE_SQL if chosen.states else "''"
        query = (
            f"SELECT {columns}, {state} FROM {REPORT} s WHERE {clauses} AND NOT EXISTS"
            " (SELECT 1 FROM submissions n WHERE n.deprecated_id = s.instance_id)"
            " ORDER BY s.seq"
        )
        yield from stream_rows(self.url, query, [form_id, *params])

    def crop_rows(self, form_id: str, columns: str) -> Iterator[tuple[Any, ...]]:
        query = f"SELECT {columns} FROM {REPORT} WHERE form_id = %s"
        yield from stream_rows(self.url, query, [form_id])

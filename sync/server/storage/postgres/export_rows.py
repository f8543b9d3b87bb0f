"""Export rows in PostgreSQL: the chosen submissions streamed through a server-side cursor
on a connection of their own, and each submission's stored rows (`export_parts`) kept on
the storage's pool.

Only the newest version of an edited submission is read (as Central does): one whose
instanceID another submission of the form names as `deprecatedID` is left out.

The backfills keep a mark, "every submission up to position N was checked". Positions
(`submissions.pos`, an identity) are taken when a transaction inserts, not when it
commits, so a submission with a smaller position can become visible after a backfill
checked a larger one. A backfill's top therefore stays pending (`BackfillMark`): it
becomes the mark only after a later backfill that started once every transaction running
at the first one's end (each below its `pending_xmax`) had ended, and that checked again
from the mark before: the late submissions are visible to it. A transaction that had
taken its position but not yet its transaction id at that moment (inside one INSERT)
escapes this; its own ingestion still writes its rows right after its commit.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool

from sync.server.storage.postgres.derived import DerivedWrites, write_rows
from sync.server.storage.postgres.quality import upsert_sql
from sync.server.storage.postgres_bodies import PgBodiesOpener, body_select
from sync.server.storage.repositories import ExportQuery, ExportRow, Stored

Pool = ConnectionPool[psycopg.Connection[dict[str, Any]]]
ITERSIZE = 2000
"""Rows a server-side cursor fetches at a time: an export of a million holds a batch."""
STATE_SQL = (
    "coalesce((SELECT r.decision FROM reviews r WHERE r.instance_id = s.instance_id"
    " ORDER BY r.seq DESC LIMIT 1), 'received')"
)
"""A submission's review state: its latest decision, `received` before any."""
CURRENT = (
    "NOT EXISTS (SELECT 1 FROM submissions n WHERE n.deprecated_id = s.instance_id"
    " AND n.form_id = s.form_id)"
)
UPSERT_PARTS = upsert_sql("export_parts", ("instance_id", "fingerprint", "parts"))


def where(chosen: ExportQuery) -> tuple[str, list[Any]]:
    """The clauses of `chosen` on `s` (form first, its parameter not included), and their
    parameters."""
    clauses: list[str] = ["s.form_id = %s"]
    params: list[Any] = []
    if chosen.districts:
        clauses.append("s.district = ANY(%s)")
        params.append(list(chosen.districts))
    if chosen.versions:
        clauses.append("coalesce(s.form_version, '') = ANY(%s)")
        params.append(list(chosen.versions))
    if chosen.since:
        clauses.append("s.submitted_at >= %s")
        params.append(chosen.since)
    if chosen.until:
        clauses.append("s.submitted_at < %s")
        params.append(chosen.until + ("\uffff" if len(chosen.until) == 10 else ""))
    return " AND ".join(clauses), params


def stream_rows(url: str, query: str, params: list[Any]) -> Iterator[tuple[Any, ...]]:
    """The rows of `query` through a server-side cursor on a connection of their own, a
    batch of `ITERSIZE` in memory at a time."""
    with psycopg.connect(url) as connection, connection.transaction():
        with connection.cursor(name="fieldapp_stream") as cursor:
            cursor.itersize = ITERSIZE
            cursor.execute(query, params)
            yield from cursor


class BackfillMark:
    """A backfill's mark in `derived_checked` (see above). `since` remembers, per top it
    gave, the oldest transaction then running, which `checked` needs: one per process and
    backfill (the repository holds it)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._started: dict[int, int] = {}
        self._lock = threading.Lock()

    def since(self, connection: psycopg.Connection[Any]) -> tuple[int, int]:
        """(the mark, the last position stored): the backfill checks what lies between."""
        found = connection.execute(
            "SELECT coalesce((SELECT last_pos FROM derived_checked WHERE name = %s), 0) AS mark,"
            " (SELECT coalesce(max(pos), 0) FROM submissions) AS top,"
            " pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS oldest",
            [self.name],
        ).fetchone()
        assert found is not None
        top = int(found["top"])
        with self._lock:
            self._started[top] = min(int(found["oldest"]), self._started.get(top, 1 << 62))
        return int(found["mark"]), top

    def checked(self, connection: psycopg.Connection[Any], top: int) -> None:
        """Every submission visible since `since` gave `top` was checked: the pending top
        becomes the mark if its transactions had ended when this backfill started; `top`
        is pending in its place."""
        with self._lock:
            oldest = self._started.pop(top, None)
        if oldest is not None:
            connection.execute(
                "UPDATE derived_checked SET last_pos = greatest(last_pos, least(pending_pos, %s))"
                " WHERE name = %s AND pending_xmax <= %s",
                [top, self.name, oldest],
            )
        connection.execute(
            "INSERT INTO derived_checked (name, pending_pos, pending_xmax)"
            " VALUES (%s, %s, pg_snapshot_xmax(pg_current_snapshot())::text::bigint)"
            " ON CONFLICT (name) DO UPDATE"
            " SET pending_pos = EXCLUDED.pending_pos, pending_xmax = EXCLUDED.pending_xmax",
            [self.name, top],
        )

    def forget(self, connection: psycopg.Connection[Any]) -> None:
        """Start again from the first submission (the rows were dropped)."""
        connection.execute("DELETE FROM derived_checked WHERE name = %s", [self.name])


class PgExportRows:
    """Streams on connections of their own (`url`); stored rows on the storage's pool."""

    def __init__(self, url: str, pool: Pool, derived: DerivedWrites | None = None) -> None:
        """`derived`: where the stored rows are written (by default, transactions on `pool`)."""
        self.url, self.pool = url, pool
        self.derived = DerivedWrites(pool) if derived is None else derived
        self.mark = BackfillMark("export_parts")

    def count(self, form_id: str, chosen: ExportQuery) -> int:
        clauses, params = where(chosen)
        with self.pool.connection() as connection:
            found = connection.execute(
                f"SELECT count(*) AS n FROM submissions s WHERE {clauses}", [form_id, *params]
            ).fetchone()
        return int(found["n"]) if found else 0

    def stream(
        self, form_id: str, chosen: ExportQuery, fingerprint: str | None, whole: bool
    ) -> Iterator[tuple[int, ExportRow]]:
        clauses, params = where(chosen)
        body, joined, first = body_select(fingerprint if whole else None)
        if not whole:
            body = "'', NULL"
        query = (
            f"SELECT s.pos, s.instance_id, s.submitted_at, s.enumerator, s.district,"
            f" {STATE_SQL}, s.form_version, {body} FROM submissions s{joined}"
            f" WHERE {clauses} AND {CURRENT} ORDER BY s.pos"
        )
        for row in stream_rows(self.url, query, [*first, form_id, *params]):
            yield row[0], row[1:]

    def bodies_opener(self) -> PgBodiesOpener:
        return PgBodiesOpener(self.url)

    def form_version(self, form_id: str, version: str | None) -> tuple[str, str] | None:
        with self.pool.connection() as connection:
            row = connection.execute(
                "SELECT version, md5 FROM forms WHERE form_id = %s"
                " AND (version = %s OR current = 1) ORDER BY version = %s DESC LIMIT 1",
                [form_id, version or "", version or ""],
            ).fetchone()
        return None if row is None else (str(row["version"]), str(row["md5"]))

    def write_parts(self, rows: list[Stored]) -> None:
        with self.derived.transaction() as connection:
            write_rows(connection, UPSERT_PARTS, rows)

    def unchecked_parts(self) -> tuple[int, int]:
        with self.pool.connection() as connection, connection.transaction():
            return self.mark.since(connection)

    def parts_missing(
        self, since: int, top: int, limit: int
    ) -> list[tuple[int, str, str, str | None, str]]:
        with self.pool.connection() as connection:
            rows = connection.execute(
                "SELECT s.pos, s.instance_id, s.form_id, s.form_version, s.xml"
                " FROM submissions s WHERE s.pos > %s AND s.pos <= %s AND NOT EXISTS"
                " (SELECT 1 FROM export_parts p WHERE p.instance_id = s.instance_id)"
                " ORDER BY s.pos LIMIT %s",
                [since, top, limit],
            ).fetchall()
        return [
            (int(r["pos"]), r["instance_id"], r["form_id"], r["form_version"], r["xml"])
            for r in rows
        ]

    def parts_checked(self, top: int) -> None:
        with self.pool.connection() as connection, connection.transaction():
            self.mark.checked(connection, top)

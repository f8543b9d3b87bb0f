"""Submission bodies read by export worker processes, from a read-only SQLite connection.

Kept outside the `sqlite` package on purpose: a spawned worker unpickles the opener and
imports only this module, not the whole storage (numpy, sqlite-utils), which would add
some 25 MB to every worker (`docs/benchmarks.md`, exports section).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


def connect_reader(database: str) -> sqlite3.Connection:
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    connection.execute("PRAGMA busy_timeout=5000")
    return connection


def body_select(
    connection: sqlite3.Connection, fingerprint: str | None
) -> tuple[str, str, list[str]]:
    """The select list of a submission's body (its XML, or `''` and its stored rows when
    they were made under `fingerprint`), the join it needs and that join's parameters."""
    has_parts = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'export_parts'"
    ).fetchone()
    if fingerprint is None or has_parts is None:
        return "s.xml, NULL", "", []
    body = "CASE WHEN p.fingerprint = ? THEN '' ELSE s.xml END, CASE WHEN p.fingerprint = ? THEN p.parts END"
    joined = " LEFT JOIN export_parts p ON p.instance_id = s.instance_id"
    return body, joined, [fingerprint, fingerprint]


class SqliteBodies:
    """A worker process's reader of submission bodies by position."""

    def __init__(self, database: str) -> None:
        self.connection = connect_reader(database)

    def bodies(
        self, rowids: list[int], fingerprint: str | None
    ) -> dict[int, tuple[str, str | None]]:
        body, joined, first = body_select(self.connection, fingerprint)
        found = self.connection.execute(
            f"SELECT s.rowid, {body} FROM submissions s{joined}"
            f" WHERE s.rowid IN ({', '.join('?' * len(rowids))})",
            [*first, *rowids],
        )
        return {int(r[0]): (str(r[1]), r[2]) for r in found}


@dataclass(frozen=True)
class SqliteBodiesOpener:
    database: str

    def open(self) -> SqliteBodies:
        return SqliteBodies(self.database)

"""Submission bodies read by export worker processes from PostgreSQL.

Kept outside the `postgres` package on purpose, like `sqlite_bodies.py`: a spawned worker
unpickles the opener (a URL, not a connection) and imports only this module and psycopg,
not the whole storage.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg


def body_select(fingerprint: str | None) -> tuple[str, str, list[Any]]:
    """The select list of a submission's body (its XML, or `''` and its stored rows when
    they were made under `fingerprint`), the join it needs and that join's parameters."""
    if fingerprint is None:
        return "s.xml, NULL", "", []
    body = (
        "CASE WHEN p.fingerprint = %s THEN '' ELSE s.xml END,"
        " CASE WHEN p.fingerprint = %s THEN p.parts END"
    )
    joined = " LEFT JOIN export_parts p ON p.instance_id = s.instance_id"
    return body, joined, [fingerprint, fingerprint]


class PgBodies:
    """A worker process's reader of submission bodies by position."""

    def __init__(self, url: str) -> None:
        self.connection = psycopg.connect(url, autocommit=True)

    def bodies(
        self, rowids: list[int], fingerprint: str | None
    ) -> dict[int, tuple[str, str | None]]:
        body, joined, first = body_select(fingerprint)
        found = self.connection.execute(
            f"SELECT s.pos, {body} FROM submissions s{joined} WHERE s.pos = ANY(%s)",
            [*first, rowids],
        )
        return {int(r[0]): (str(r[1]), r[2]) for r in found}


@dataclass(frozen=True)
class PgBodiesOpener:
    url: str

    def open(self) -> PgBodies:
        return PgBodies(self.url)

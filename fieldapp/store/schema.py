"""The store's schema, built by migrations: ordered functions, each applied once.

`migrations` records every applied step. A migration runs in the same transaction
as its record, so a crash mid-migration leaves the previous schema whole.
Add a step by appending a function to `MIGRATIONS`; never edit a released one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import sqlite_utils

from fieldapp.store.connection import Connection

Migration = Callable[[sqlite_utils.Database], None]


def _forms_instances_settings(db: sqlite_utils.Database) -> None:
    db.table("forms").create(
        {
            "form_id": str,
            "version": str,
            "title": str,
            "hash": str,
            "xform": str,
            "downloaded_at": str,
        },
        pk=("form_id", "version"),
        not_null={"form_id", "version", "title", "hash", "xform", "downloaded_at"},
    )
    db.table("form_media").create(
        {"form_id": str, "version": str, "filename": str, "sha256": str, "size": int},
        pk=("form_id", "version", "filename"),
        foreign_keys=[(("form_id", "version"), "forms", ("form_id", "version"))],
    )
    db.table("instances").create(
        {
            "instance_id": str,
            "form_id": str,
            "form_version": str,
            "state": str,
            "xml": str,
            "name": str,
            "position": str,
            "created_at": str,
            "updated_at": str,
            "finalized_at": str,
            "sent_at": str,
            "deprecated_id": str,
            "comments": str,
        },
        pk="instance_id",
        not_null={"form_id", "state", "xml", "created_at", "updated_at", "comments"},
    )
    db.table("attachments").create(
        {"instance_id": str, "filename": str, "sha256": str, "size": int},
        pk=("instance_id", "filename"),
    )
    db.table("settings").create({"key": str, "value": str}, pk="key")


def _paradata_and_indexes(db: sqlite_utils.Database) -> None:
    db.table("events").create(
        {"id": int, "instance_id": str, "event": str, "ref": str, "value": str, "at": str},
        pk="id",
        not_null={"instance_id", "event", "at"},
    )
    db.table("events").create_index(["instance_id", "id"])
    db.table("instances").create_index(["state", "updated_at"])
    db.table("attachments").create_index(["sha256"])
    db.table("form_media").create_index(["sha256"])


def _instance_language(db: sqlite_utils.Database) -> None:
    """The form language each interview was left in, so it reopens in it (NULL: not chosen
    on this device, e.g. an instance saved before this step or returned from the server)."""
    db.table("instances").add_column("language", str)


MIGRATIONS: tuple[Migration, ...] = (
    _forms_instances_settings,
    _paradata_and_indexes,
    _instance_language,
)


def schema_version(connection: Connection) -> int:
    table = connection.row(
        "SELECT name FROM sqlite_master WHERE type='table' AND name='migrations'"
    )
    if table is None:
        return 0
    row = connection.row("SELECT max(version) FROM migrations")
    return int(row[0]) if row is not None and row[0] is not None else 0


def migrate(connection: Connection, upto: int | None = None) -> int:
    """Apply the migrations not yet applied (up to step `upto`); the schema version after."""
    target = len(MIGRATIONS) if upto is None else upto
    with connection.write() as conn:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS migrations ("
            "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
    current = schema_version(connection)
    for version in range(current + 1, target + 1):
        step = MIGRATIONS[version - 1]
        with connection.write() as conn:
            if _applied(conn, version):
                continue
            step(_database(conn))
            conn.execute(
                "INSERT INTO migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (version, step.__name__.lstrip("_"), connection.now()),
            )
    return schema_version(connection)


def _applied(conn: sqlite3.Connection, version: int) -> bool:
    return (
        conn.execute("SELECT 1 FROM migrations WHERE version = ?", (version,)).fetchone()
        is not None
    )


def _database(conn: sqlite3.Connection) -> sqlite_utils.Database:
    return sqlite_utils.Database(conn, recursive_triggers=False, execute_plugins=False)

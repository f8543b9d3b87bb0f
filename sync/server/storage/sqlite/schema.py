"""The SQLite schema: numbered migrations, `PRAGMA user_version` counts those applied."""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils


def _v1(db: sqlite_utils.Database) -> None:
    db.table("users").create(
        {"name": str, "role": str, "district": str, "token_hash": str, "revoked": int},
        pk="name",
    )
    db.table("users").create_index(["token_hash"], unique=True)
    db.table("events").create({"seq": int, "kind": str, "ref": str}, pk="seq")
    db.table("forms").create(
        {
            "form_id": str,
            "version": str,
            "title": str,
            "md5": str,
            "xml": str,
            "seq": int,
            "media": str,
            "current": int,
        },
        pk=("form_id", "version"),
    )
    db.table("submissions").create(
        {
            "instance_id": str,
            "form_id": str,
            "form_version": str,
            "xml": str,
            "xml_sha256": str,
            "deprecated_id": str,
            "instance_name": str,
            "submitted_at": str,
            "enumerator": str,
            "district": str,
            "device_id": str,
            "outbox": str,
            "outbox_message": str,
        },
        pk="instance_id",
    )
    db.table("submissions").create_index(["enumerator"])
    db.table("submissions").create_index(["outbox"])
    db.table("attachments").create(
        {"instance_id": str, "name": str, "sha256": str, "size": int, "received": int},
        pk=("instance_id", "name"),
    )
    db.table("reviews").create(
        {
            "seq": int,
            "instance_id": str,
            "decision": str,
            "comment": str,
            "question_comments": str,
            "author": str,
            "at": str,
        },
        pk="seq",
    )
    db.table("reviews").create_index(["instance_id"])
    db.table("settings").create({"key": str, "value": str}, pk="key")


def _v2(db: sqlite_utils.Database) -> None:
    """An edit (meta/deprecatedID) marks the submission it replaces."""
    db.table("submissions").add_column("replaced_by", str)


def _v3(db: sqlite_utils.Database) -> None:
    """Finding a submission's edit (its replacement) is a lookup, not a scan per ingestion."""
    db.table("submissions").create_index(["deprecated_id"])


def _v4(db: sqlite_utils.Database) -> None:
    """The review queue reads a page newest first, in all or in one district, by walking an
    index and stopping at the page's end: not by sorting every submission, whose rows carry
    their XML, each time a supervisor opens it."""
    db.table("submissions").create_index(["submitted_at"])
    db.table("submissions").create_index(["district", "submitted_at"])


def _v5(db: sqlite_utils.Database) -> None:
    """District hubs: the route a submission came by upstream, and on a hub the central
    server's number of each return it relays (the position devices' pull cursors count in)."""
    db.table("submissions").add_column("via", str)
    db.table("reviews").add_column("origin_seq", int)


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_v1, _v2, _v3, _v4, _v5]
"""Schema changes in order; `PRAGMA user_version` counts the ones applied."""

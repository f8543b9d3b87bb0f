"""What `migrate-data` copies from a SQLite server to PostgreSQL, table by table, and how a
row is compared on both sides (`row_text`): the same canonical text from either database's
values, so a table's hash does not depend on either dialect.

The backfills' marks (`export_checked`, `report_checked`) are not copied: the PostgreSQL
backfills start from the first position, find every copied row there and move on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sync.server.storage.repositories import ReportLayout

NUMBERED = frozenset({"seq", "pos", "id"})
"""Columns ordered as numbers; every other ordering column is text, compared byte by byte
on both sides (SQLite's BINARY, PostgreSQL's "C")."""


@dataclass(frozen=True)
class Table:
    """One table to copy. `columns` are the target's names, key first; `source` gives a
    SQLite expression where the source names a column otherwise (`rowid` for `pos`).

    `order`: the order rows are read and compared in on both sides (the key's unless
    given). `json`: JSON text, compared parsed (PostgreSQL may keep it as jsonb).
    `identity`: a column PostgreSQL generates, copied as it is."""

    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]
    order: tuple[str, ...] = ()
    json: tuple[str, ...] = ()
    identity: str | None = None
    source: tuple[tuple[str, str], ...] = ()

    @property
    def ordering(self) -> tuple[str, ...]:
        return self.order or self.key

    def source_column(self, column: str) -> str:
        return dict(self.source).get(column, column)


SUBMISSIONS = Table(
    "submissions",
    (
        "instance_id", "pos", "form_id", "form_version", "xml", "xml_sha256", "deprecated_id",
        "instance_name", "submitted_at", "enumerator", "district", "device_id", "outbox",
        "outbox_message", "replaced_by", "via",
    ),
    key=("instance_id",),
    order=("pos",),
    identity="pos",
    source=(("pos", "rowid"),),
)  # fmt: skip
"""In their order of arrival: `pos` is SQLite's rowid, so exports and backfills keep it."""

EVENTS = Table("events", ("seq", "kind", "ref"), key=("seq",))
"""Numbered in order: each review's and each form version's `seq` is one of these."""

CORE = (
    Table(
        "users",
        ("name", "role", "district", "token_hash", "revoked"),
        key=("name",),
    ),
    EVENTS,
    Table(
        "forms",
        ("form_id", "version", "title", "md5", "xml", "seq", "media", "current"),
        key=("form_id", "version"),
        json=("media",),
    ),
    SUBMISSIONS,
    Table(
        "attachments",
        ("instance_id", "name", "sha256", "size", "received"),
        key=("instance_id", "name"),
    ),
    Table(
        "reviews",
        ("seq", "instance_id", "decision", "comment", "question_comments", "author", "at")
        + ("origin_seq",),
        key=("seq",),
        json=("question_comments",),
    ),
    Table("settings", ("key", "value"), key=("key",)),
)
"""The records: what every server has, in the order they are copied."""

DERIVED = (
    Table(
        "review_facts",
        (
            "instance_id",
            "form_id",
            "district",
            "enumerator",
            "day",
            "household_id",
            "crop",
            "facts",
            "flags",
            "flag_count",
        ),
        key=("instance_id",),
        json=("facts", "flags"),
    ),  # fmt: skip
    Table(
        "review_metrics",
        ("instance_id", "metric", "form_id", "district", "crop", "value"),
        key=("instance_id", "metric"),
    ),
    Table("export_parts", ("instance_id", "fingerprint", "parts"), key=("instance_id",)),
)
"""Rows computed from the records, copied as they are: flags a later audit log or a
supervisor's action changed stay as they were changed."""


def report_table(layout: ReportLayout) -> Table:
    """The report's household rows in the layout this server writes (first column the key)."""
    return Table("report_households", layout.columns, key=layout.columns[:1])


def canonical(value: Any) -> Any:
    """Numbers as the same JSON on both sides: a whole float is the integer it holds."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {str(k): canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return [canonical(v) for v in value]
    return value


def _text(value: Any) -> str:
    """A plain column's value, the same from both databases: typed, so that 1 and '1'
    differ, and a whole float is the integer it holds."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return repr(value) if isinstance(value, str | int | float | bytes | None) else repr(str(value))


def row_values(table: Table, row: dict[str, Any]) -> list[str]:
    """Each column's value as canonical text: the same from SQLite's and PostgreSQL's values
    (JSON columns parsed and written again with sorted keys, whole floats as integers)."""
    values = []
    for column in table.columns:
        value = row[column]
        if column not in table.json:
            values.append(_text(value))
            continue
        if isinstance(value, str | bytes):
            try:
                value = json.loads(value)
            except ValueError:
                pass  # not JSON: compared as the text it is, on both sides
        values.append(json.dumps(canonical(value), sort_keys=True, ensure_ascii=False))
    return values

"""Records from the rows of the core tables and back, the same for every backend (a row read
is a dict of column name to value; JSON columns hold text)."""

from __future__ import annotations

import json
from typing import Any

from sync.server.storage.records import (
    FormRecord,
    ReturnScope,
    ReviewRecord,
    SubmissionRecord,
    User,
)


def user_of(row: dict[str, Any]) -> User:
    return User(row["name"], row["role"], row["district"], bool(row["revoked"]))


def form_of(row: dict[str, Any]) -> FormRecord:
    """A form's row; an unversioned form is kept under the version "" (a key column)."""
    return FormRecord(
        row["form_id"],
        row["version"] or None,
        row["title"],
        row["md5"],
        row["xml"],
        row["seq"],
        json.loads(row["media"] or "{}"),
    )


def submission_of(row: dict[str, Any]) -> SubmissionRecord:
    return SubmissionRecord(
        row["instance_id"],
        row["form_id"],
        row["form_version"],
        row["xml"],
        row["xml_sha256"],
        row["deprecated_id"],
        row["instance_name"],
        row["submitted_at"],
        row["enumerator"],
        row["district"],
        row["device_id"],
        row["replaced_by"],
        row["via"],
    )


SUBMISSION_COLUMNS = (
    "instance_id",
    "form_id",
    "form_version",
    "xml",
    "xml_sha256",
    "deprecated_id",
    "instance_name",
    "submitted_at",
    "enumerator",
    "district",
    "device_id",
    "via",
    "outbox",
)
"""The columns a new submission is written with, in the order of `submission_row`."""


def submission_row(record: SubmissionRecord, outbox: str) -> list[Any]:
    """A new submission's values for `SUBMISSION_COLUMNS`; `outbox` is a hub's forwarding
    state for it."""
    return [
        record.instance_id,
        record.form_id,
        record.form_version,
        record.xml,
        record.xml_sha256,
        record.deprecated_id,
        record.instance_name,
        record.submitted_at,
        record.enumerator,
        record.district,
        record.device_id,
        record.via,
        outbox,
    ]


def review_of(row: dict[str, Any]) -> ReviewRecord:
    return ReviewRecord(
        row["instance_id"],
        row["decision"],
        row["comment"],
        json.loads(row["question_comments"] or "{}"),
        row["author"],
        row["at"],
        row["seq"],
        row["origin_seq"],
    )


def returns_query(scope: ReturnScope, seq: int, mark: str) -> tuple[str, list[Any]]:
    """The query of the returns in `scope` numbered past `seq`, in order, and its parameters;
    `mark` is the driver's placeholder. Numbered as the central server numbered them
    (`origin_seq` on a hub), so one cursor means the same at both."""
    sql = (
        "SELECT r.* FROM reviews r JOIN submissions s ON s.instance_id = r.instance_id"
        f" WHERE r.decision = 'rejected' AND coalesce(r.origin_seq, r.seq) > {mark}"
    )
    params: list[Any] = [seq]
    for column, value in (("enumerator", scope.enumerator), ("district", scope.district)):
        if value is not None:  # a plain equality, so the index on the column serves it
            sql += f" AND s.{column} = {mark}"
            params.append(value)
    return sql + " ORDER BY coalesce(r.origin_seq, r.seq)", params

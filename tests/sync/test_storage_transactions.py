"""The server's SQLite storage: each call is all or nothing, and commits are durable."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from sync.server.storage import AttachmentRecord, SubmissionRecord
from sync.server.storage.repositories import FactsLookup, FactsRow, ReportLayout
from sync.server.storage.sqlite import SqliteStorage

pytestmark = pytest.mark.sqlite_only("the SQLite storage's own transactions and durability")


def _record(instance_id: str) -> SubmissionRecord:
    return SubmissionRecord(
        instance_id=instance_id,
        form_id="demo",
        form_version="1",
        xml="<data/>",
        xml_sha256="0" * 64,
        deprecated_id=None,
        instance_name=None,
        submitted_at="2026-11-26T10:00:00Z",
        enumerator="amina",
        district="north",
        device_id="dev-1",
    )


class _Failing:
    """A value that fails when written, halfway through add_submission."""

    def __int__(self) -> int:
        raise OSError("disk went away")


def test_a_submission_whose_attachments_fail_is_not_stored_at_all(tmp_path: Path) -> None:
    storage = SqliteStorage(tmp_path / "server.db")
    good = AttachmentRecord("uuid:1", "a.jpg", "1" * 64, 10, False)
    bad = AttachmentRecord("uuid:1", "b.jpg", "2" * 64, 0, _Failing())  # type: ignore[arg-type]
    with pytest.raises(OSError):
        storage.add_submission(_record("uuid:1"), [good, bad])
    assert storage.submission("uuid:1") is None
    assert storage.count_submissions() == 0
    assert storage.add_submission(_record("uuid:1"), [good])
    assert storage.submission("uuid:1") is not None


def test_commits_are_synchronous_full(tmp_path: Path) -> None:
    storage = SqliteStorage(tmp_path / "server.db")
    assert storage.db.execute("PRAGMA synchronous").fetchone()[0] == 2
    assert storage.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def _facts(instance_id: str, metrics: dict[str, float]) -> FactsRow:
    return FactsRow(
        instance_id, "demo", "north", "amina", "2026-11-26", "H-1", "cocoa", "{}", "[]", 0, metrics
    )


def test_quality_facts_are_kept_with_their_metrics_or_not_at_all(tmp_path: Path) -> None:
    """`QualityFacts.record` is one call: what the judge read and what it decided are
    written together, or nothing is (a metric value that cannot be stored undoes the facts)."""
    storage = SqliteStorage(tmp_path / "server.db")
    storage.open_review_index()  # creates the review tables
    assert storage.add_submission(_record("uuid:1"), [])
    seen: list[str | None] = []

    def judge(lookup: FactsLookup) -> FactsRow:
        seen.append(lookup.duplicate_of("demo", "H-1", "uuid:1", None))
        return _facts("uuid:1", {"yield": 1.0, "price": _Failing()})  # type: ignore[dict-item]

    with pytest.raises(sqlite3.ProgrammingError):
        storage.quality_facts.record(judge)
    assert seen == [None]
    assert storage.quality_facts.missing() == ["uuid:1"]
    metrics = storage.db.execute("SELECT count(*) FROM review_metrics").fetchone()[0]
    assert metrics == 0
    storage.quality_facts.record(lambda lookup: _facts("uuid:1", {"yield": 1.0}))
    assert storage.quality_facts.missing() == []
    assert storage.db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL again after


def test_report_rows_and_the_rows_they_replace_go_together(tmp_path: Path) -> None:
    storage = SqliteStorage(tmp_path / "server.db")
    layout = ReportLayout(
        ("instance_id", "form_id"),
        ("CREATE TABLE IF NOT EXISTS report_households (instance_id TEXT PRIMARY KEY,"
         " form_id TEXT NOT NULL)",
         "CREATE TABLE IF NOT EXISTS report_schema (id INTEGER PRIMARY KEY, version INTEGER)"),
        1,
    )  # fmt: skip
    storage.report_rows.write(layout, [("uuid:1", "demo")], [])
    with pytest.raises(sqlite3.IntegrityError):  # the new row lacks its form
        storage.report_rows.write(layout, [("uuid:2", None)], ["uuid:1"])
    assert list(storage.report_rows.crop_rows("demo", "instance_id")) == [("uuid:1",)]

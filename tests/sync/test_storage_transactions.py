"""The server's SQLite storage: each call is all or nothing, and commits are durable."""

from __future__ import annotations

from pathlib import Path

import pytest

from sync.server.storage import AttachmentRecord, SubmissionRecord
from sync.server.storage.sqlite import SqliteStorage


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

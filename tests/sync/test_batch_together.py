"""A batch's items are stored together (`Storage.add_submissions`), at most `TOGETHER` per
transaction: on PostgreSQL one commit waits for the disk for all of them. What that must not
change, on both backends: each item is answered as if stored alone (stored, duplicate,
conflict, rejected, in its place), an edit sees the version it replaces even when that
version came earlier in the same batch, and a failure to store them together stores each on
its own."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from record_support import submission
from report_support import amina, household, living_income_server, xml_of

from sync.protocol import BatchResult, SubmissionBatch, SubmissionItem
from sync.server.api import batch as batch_api
from sync.server.api.batch import TOGETHER, _Intake
from sync.server.storage import AttachmentRecord, Storage, SubmissionRecord
from sync.server.storage.postgres import PostgresStorage
from tests.waiting import together

pytestmark = pytest.mark.server_storage

FORM_ID = "living_income_household"


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[Storage]:
    yield from living_income_server(tmp_path / "data")


def _item(h: dict[str, Any], xml: str | None = None) -> SubmissionItem:
    return SubmissionItem(instance_id=str(h["id"]), form_id=FORM_ID, xml=xml or xml_of(h))


def _send(storage: Storage, items: list[SubmissionItem]) -> BatchResult:
    intake = _Intake(storage, amina(storage), require_known_form=True, file_limit=10**6)
    batch = SubmissionBatch(batch_id="b-1", device_id="dev-1", items=items)
    return intake.batch(batch.model_dump_json().encode())


def _edit_of(h: dict[str, Any], new_id: str) -> str:
    """The household again under `new_id`, replacing `h`'s submission (meta/deprecatedID)."""
    edited = xml_of({**h, "id": new_id})
    return edited.replace("<meta>", f"<meta><deprecatedID>{h['id']}</deprecatedID>", 1)


class Counting:
    """The storage's `add_submissions` (the sizes of its calls) and `add_submission` (its
    calls, SQLite's `add_submissions` included) counted."""

    def __init__(self, storage: Storage, monkeypatch: pytest.MonkeyPatch) -> None:
        self.together: list[int] = []
        self.alone = 0
        many, one = storage.add_submissions, storage.add_submission

        def add_submissions(
            items: Sequence[tuple[SubmissionRecord, Sequence[AttachmentRecord]]],
        ) -> list[bool]:
            self.together.append(len(items))
            return many(items)

        def add_submission(*args: Any, **kwargs: Any) -> bool:
            self.alone += 1
            return one(*args, **kwargs)

        monkeypatch.setattr(storage, "add_submissions", add_submissions)
        monkeypatch.setattr(storage, "add_submission", add_submission)


def test_each_item_is_answered_in_its_place_as_if_stored_alone(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stored before, sent twice in the batch, another XML under a stored instanceID, not
    of a published form: each answered as `ingest` alone answers it, in order; the rest
    stored, with all their derived rows."""
    before = household(1)
    assert _send(storage, [_item(before)]).results[0].status == "stored"
    counted = Counting(storage, monkeypatch)
    fresh = [household(n) for n in (2, 3, 4)]
    other_xml = xml_of({**household(9), "id": before["id"]})
    unknown = xml_of(household(5)).replace(f'id="{FORM_ID}"', 'id="no_such_form"', 1)
    items = [
        _item(fresh[0]),
        _item(before),
        _item(fresh[1]),
        _item(fresh[1]),
        _item(before, other_xml),
        _item(household(5), unknown),
        _item(fresh[2]),
    ]
    results = _send(storage, items).results
    assert [(r.instance_id, r.status) for r in results] == [
        (fresh[0]["id"], "stored"),
        (before["id"], "duplicate"),
        (fresh[1]["id"], "stored"),
        (fresh[1]["id"], "duplicate"),
        (before["id"], "conflict"),
        ("uuid:li-005", "rejected"),
        (fresh[2]["id"], "stored"),
    ]
    assert counted.together == [6]
    index = storage.open_review_index()
    try:
        for h in fresh:
            assert index.facts_and_flags(str(h["id"])) is not None, h["id"]
    finally:
        index.close()
    reported = {row[0] for row in storage.report_rows.crop_rows(FORM_ID, "instance_id")}
    assert reported == {str(h["id"]) for h in (before, *fresh)}


def test_an_edit_sees_the_version_it_replaces_from_earlier_in_the_same_batch(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The items before the edit are stored first; the edit is checked then and stored
    alone; the version it replaces is marked replaced."""
    counted = Counting(storage, monkeypatch)
    first, second, after = household(11), household(12), household(13)
    items = [
        _item(first),
        _item(second),
        _item({"id": "uuid:li-011-edit"}, _edit_of(first, "uuid:li-011-edit")),
        _item(after),
    ]
    results = _send(storage, items).results
    assert [r.status for r in results] == ["stored"] * 4
    assert counted.together == [2, 1, 1]
    replaced = storage.submission(str(first["id"]))
    assert replaced is not None and replaced.replaced_by == "uuid:li-011-edit"


def test_a_long_batch_commits_every_together_items(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server killed in a long batch's middle keeps what it stored before (see
    `test_postgres_processes`): no more than `TOGETHER` items wait for one commit."""
    counted = Counting(storage, monkeypatch)
    items = [_item(household(n)) for n in range(100, 100 + TOGETHER + 3)]
    results = _send(storage, items).results
    assert [r.status for r in results] == ["stored"] * len(items)
    assert counted.together == [TOGETHER, 3]
    assert storage.count_submissions() == len(items)


def test_items_not_stored_together_are_stored_each_on_its_own(
    storage: Storage, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Storing the items together fails before anything is kept: each is stored alone, as
    the items before a failing one always were, and the failure is logged."""
    counted = Counting(storage, monkeypatch)

    def failing(items: Sequence[tuple[SubmissionRecord, Sequence[AttachmentRecord]]]) -> None:
        counted.together.append(len(items))
        raise RuntimeError("the database went away for a moment")

    monkeypatch.setattr(storage, "add_submissions", failing)
    items = [_item(household(n)) for n in (21, 22, 23)]
    with caplog.at_level(logging.WARNING, logger=batch_api.__name__):
        results = _send(storage, items).results
    assert [r.status for r in results] == ["stored"] * 3
    assert (counted.together, counted.alone) == ([3], 3)
    assert "3 submissions not stored together; storing each" in caplog.text
    assert storage.count_submissions() == 3


def test_add_submissions_answers_each_and_keeps_the_files_of_the_new_ones(
    storage: Storage,
) -> None:
    def record(instance_id: str) -> SubmissionRecord:
        return submission(instance_id, form_id=FORM_ID)

    def photo(instance_id: str, sha256: str) -> AttachmentRecord:
        return AttachmentRecord(instance_id, "photo.jpg", sha256, 2048, False)

    assert storage.add_submission(record("uuid:old"), [])
    stored = storage.add_submissions(
        [
            (record("uuid:a"), [photo("uuid:a", "1" * 64)]),
            (record("uuid:old"), [photo("uuid:old", "2" * 64)]),
            (record("uuid:a"), [photo("uuid:a", "3" * 64)]),
            (record("uuid:b"), []),
        ]
    )
    assert stored == [True, False, False, True]
    assert [(a.name, a.sha256) for a in storage.attachments("uuid:a")] == [("photo.jpg", "1" * 64)]
    assert storage.attachments("uuid:old") == []
    assert storage.count_submissions() == 3


@pytest.mark.postgres_only("two server processes on one database")
def test_two_processes_storing_the_same_items_in_opposite_orders_store_each_once(
    storage: Storage,
) -> None:
    """Two processes' batches hold the same two households in opposite orders, sent at
    once: each transaction may wait on the other's row, and PostgreSQL then rolls one back
    as a deadlock, whose items are stored each alone. Every household is stored once,
    answered "stored" by one process and "duplicate" by the other."""
    other = PostgresStorage(storage.url)  # type: ignore[attr-defined]
    try:
        for n in range(300, 320, 2):
            items = [_item(household(n)), _item(household(n + 1))]
            one, two = together(
                lambda items=items: _send(storage, items),
                lambda items=items: _send(other, items[::-1]),
            )
            answers = {(r.instance_id, r.status) for r in [*one.results, *two.results]}
            ids = [item.instance_id for item in items]
            assert answers == {(i, s) for i in ids for s in ("stored", "duplicate")}, n
        assert storage.count_submissions() == 20
    finally:
        other.close()

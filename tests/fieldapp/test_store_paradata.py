"""The store's side of the audit log: its clock, lines logged together, finalizing with an
attachment in one transaction, and the paradata of the versions an edit replaced."""

from __future__ import annotations

from pathlib import Path

import pytest
from paradata_support import Clock
from store_support import DEMO_ID, DEMO_VERSION, instance_xml

from fieldapp.store import Store, StoreError


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Store:
    return Store.open(tmp_path / "fieldapp.db", clock=clock)


def draft(store: Store, instance_id: str = "uuid:a") -> str:
    store.create_draft(DEMO_ID, DEMO_VERSION, instance_id, instance_xml(instance_id), None)
    return instance_id


def test_rows_and_paradata_are_stamped_by_the_store_clock(store: Store, clock: Clock) -> None:
    draft(store)
    clock.advance(1.5)
    store.log_events(
        "uuid:a",
        [("screen", "/data/household_id", "question"), ("shown", "/data/household_id", None)],
    )
    store.log_event("uuid:a", "form_exit", None, "interrupted", at="2025-01-15T07:59:00.000Z")
    assert [(e.event, e.at) for e in store.events("uuid:a")] == [
        ("screen", "2025-01-15T08:00:01.500Z"),
        ("shown", "2025-01-15T08:00:01.500Z"),
        ("form_exit", "2025-01-15T07:59:00.000Z"),
    ]
    assert store.get_instance("uuid:a").created_at == "2025-01-15T08:00:00.000Z"


def test_finalize_attaches_files_or_changes_nothing(store: Store) -> None:
    draft(store)
    with pytest.raises(StoreError) as raised:
        store.finalize("uuid:a", instance_xml("uuid:a"), None, {"../audit.csv": b"x"})
    assert raised.value.code == "store.bad_filename"
    assert store.get_instance("uuid:a").state == "draft" and store.attachments("uuid:a") == []

    store.finalize("uuid:a", instance_xml("uuid:a"), None, {"audit.csv": b"event,node,start,end\n"})
    found = store.attachments("uuid:a")
    assert [(a.filename, a.size) for a in found] == [("audit.csv", 21)]
    store.mark_sent(["uuid:a"])
    with pytest.raises(StoreError) as refused:
        store.finalize("uuid:a", instance_xml("uuid:a"), None, {"audit.csv": b"another log"})
    assert refused.value.code == "store.bad_state"
    assert store.attachments("uuid:a") == found
    assert store.read_attachment("uuid:a", "audit.csv") == b"event,node,start,end\n"
    assert (
        len([p for p in (store.path.parent / "fieldapp.db.files").rglob("*") if p.is_file()]) == 1
    )


def test_history_events_follow_the_versions_an_edit_replaced(store: Store) -> None:
    draft(store)
    store.log_event("uuid:a", "form_start")
    store.finalize("uuid:a", instance_xml("uuid:a"), None)
    store.mark_sent(["uuid:a"])
    store.mark_returned("uuid:a", instance_xml("uuid:a"), [], DEMO_ID, DEMO_VERSION)
    store.replace_for_edit("uuid:a", "uuid:b", instance_xml("uuid:b"))
    store.log_event("uuid:b", "form_resume")
    store.log_event("uuid:a", "sync_conflict")  # logged late against the old version
    assert [(e.instance_id, e.event) for e in store.history_events("uuid:b")] == [
        ("uuid:a", "form_start"),
        ("uuid:a", "sync_conflict"),
        ("uuid:b", "form_resume"),
    ]
    assert store.history_events("uuid:none") == []

"""Instances through their life: draft, finalized, sent, returned, edited; refusals change nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from paradata_support import Clock
from store_support import DEMO_ID, DEMO_VERSION, instance_xml

from fieldapp.store import Comment, Store, StoreError

COMMENTS = [
    Comment(
        ref="/data/interview/cocoa_kg", text="Check the kg", author="awa", at="2026-01-02T10:00:00Z"
    ),
    Comment(ref=None, text="Call the household back", author="awa", at="2026-01-02T10:01:00Z"),
]


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store.open(tmp_path / "fieldapp.db")


def draft(store: Store, instance_id: str = "uuid:a") -> str:
    store.create_draft(DEMO_ID, DEMO_VERSION, instance_id, instance_xml(instance_id), None)
    return instance_id


def test_a_draft_is_created_saved_and_read_back(store: Store) -> None:
    created = store.create_draft(DEMO_ID, DEMO_VERSION, "uuid:a", "<data/>", None)
    assert (created.state, created.xml, created.name, created.position) == (
        "draft",
        "<data/>",
        None,
        None,
    )
    store.save_draft("uuid:a", instance_xml("uuid:a"), "AB-0001 north", "/data/interview/hh_size")
    saved = store.get_instance("uuid:a")
    assert saved.xml == instance_xml("uuid:a")
    assert (saved.name, saved.position, saved.state) == (
        "AB-0001 north",
        "/data/interview/hh_size",
        "draft",
    )
    assert saved.updated_at >= created.updated_at
    assert saved.created_at == created.created_at


def test_a_second_draft_with_the_same_id_is_refused(store: Store) -> None:
    draft(store)
    with pytest.raises(StoreError) as raised:
        store.create_draft(DEMO_ID, DEMO_VERSION, "uuid:a", "<other/>", None)
    assert raised.value.code == "store.instance_exists"
    assert store.get_instance("uuid:a").xml == instance_xml("uuid:a")


def test_finalize_reopen_and_send(store: Store) -> None:
    draft(store)
    store.finalize("uuid:a", "<final/>", "name")
    final = store.get_instance("uuid:a")
    assert (final.state, final.xml, final.name) == ("finalized", "<final/>", "name")
    assert final.finalized_at is not None
    store.reopen("uuid:a")
    assert store.get_instance("uuid:a").state == "draft"
    assert store.get_instance("uuid:a").finalized_at is None
    store.finalize("uuid:a", "<final2/>", "name")
    store.mark_sent(["uuid:a"])
    sent = store.get_instance("uuid:a")
    assert (sent.state, sent.xml) == ("sent", "<final2/>")
    assert sent.sent_at is not None
    store.mark_sent(["uuid:a"])
    assert store.get_instance("uuid:a").sent_at == sent.sent_at


@pytest.mark.parametrize(
    ("action", "state"),
    [
        (lambda s: s.save_draft("uuid:a", "<x/>", None, None), "finalized"),
        (lambda s: s.save_draft("uuid:a", "<x/>", None, None), "sent"),
        (lambda s: s.reopen("uuid:a"), "sent"),
        (lambda s: s.delete_draft("uuid:a"), "finalized"),
        (lambda s: s.finalize("uuid:a", "<x/>", None), "sent"),
    ],
)
def test_a_change_that_does_not_fit_the_state_is_refused_and_changes_nothing(
    store: Store, action: object, state: str
) -> None:
    draft(store)
    store.finalize("uuid:a", "<final/>", None)
    if state == "sent":
        store.mark_sent(["uuid:a"])
    before = store.get_instance("uuid:a")
    with pytest.raises(StoreError) as raised:
        action(store)  # type: ignore[operator]
    assert raised.value.code == "store.bad_state"
    assert state in raised.value.message
    assert store.get_instance("uuid:a") == before


def test_mark_sent_is_all_or_nothing(store: Store) -> None:
    draft(store, "uuid:a")
    draft(store, "uuid:b")
    store.finalize("uuid:a", "<a/>", None)
    with pytest.raises(StoreError):
        store.mark_sent(["uuid:a", "uuid:b"])
    assert store.get_instance("uuid:a").state == "finalized"


@pytest.mark.parametrize("method", ["get_instance", "save_draft", "reopen", "delete_draft"])
def test_an_unknown_instance_is_a_store_error(store: Store, method: str) -> None:
    calls = {
        "get_instance": lambda: store.get_instance("uuid:none"),
        "save_draft": lambda: store.save_draft("uuid:none", "<x/>", None, None),
        "reopen": lambda: store.reopen("uuid:none"),
        "delete_draft": lambda: store.delete_draft("uuid:none"),
    }
    with pytest.raises(StoreError) as raised:
        calls[method]()
    assert raised.value.code == "store.no_instance"
    assert "uuid:none" in raised.value.message


def test_a_returned_instance_keeps_its_state_while_edited_until_finalized(store: Store) -> None:
    draft(store)
    store.finalize("uuid:a", "<a/>", None)
    store.mark_sent(["uuid:a"])
    store.mark_returned("uuid:a", "<returned/>", COMMENTS, DEMO_ID, DEMO_VERSION)
    returned = store.get_instance("uuid:a")
    assert (returned.state, returned.xml, returned.comments) == (
        "returned",
        "<returned/>",
        tuple(COMMENTS),
    )
    store.save_draft("uuid:a", "<edited/>", None, "/data/interview/cocoa_kg")
    assert store.get_instance("uuid:a").state == "returned"
    store.finalize("uuid:a", "<fixed/>", None)
    assert store.get_instance("uuid:a").state == "finalized"


def test_returned_creates_the_row_when_the_device_does_not_have_it(store: Store) -> None:
    store.mark_returned("uuid:other", "<r/>", COMMENTS[:1], DEMO_ID, None)
    row = store.get_instance("uuid:other")
    assert (row.state, row.form_id, row.form_version, row.comments) == (
        "returned",
        DEMO_ID,
        None,
        (COMMENTS[0],),
    )
    store.mark_returned("uuid:other", "<r/>", COMMENTS[:1], DEMO_ID, None)
    assert store.counts()["returned"] == 1


def test_replace_for_edit_keeps_the_old_row_as_superseded(store: Store) -> None:
    store.mark_returned("uuid:old", "<r/>", COMMENTS, DEMO_ID, DEMO_VERSION)
    new = store.replace_for_edit("uuid:old", "uuid:new", "<edit/>")
    assert (new.state, new.deprecated_id, new.xml, new.comments) == (
        "draft",
        "uuid:old",
        "<edit/>",
        tuple(COMMENTS),
    )
    assert store.get_instance("uuid:old").state == "superseded"
    store.mark_returned("uuid:old", "<r again/>", COMMENTS, DEMO_ID, DEMO_VERSION)
    assert store.get_instance("uuid:old").state == "superseded"
    with pytest.raises(StoreError):
        store.replace_for_edit("uuid:old", "uuid:newer", "<edit/>")


def test_delete_draft_removes_it_with_its_paradata_and_files(store: Store, tmp_path: Path) -> None:
    draft(store)
    store.log_event("uuid:a", "shown", "/data/household_id")
    attachment = store.add_attachment("uuid:a", "photo.jpg", b"jpeg bytes")
    store.delete_draft("uuid:a")
    with pytest.raises(StoreError):
        store.get_instance("uuid:a")
    assert store.events("uuid:a") == []
    assert store.attachments("uuid:a") == []
    assert not attachment.path.exists()


def test_list_instances_newest_first_and_by_state_and_counts(tmp_path: Path) -> None:
    clock = Clock()
    store = Store.open(tmp_path / "timed.db", clock=clock)
    for name in ("uuid:1", "uuid:2", "uuid:3"):
        draft(store, name)
        clock.advance(1)
    store.save_draft("uuid:1", "<x/>", None, None)
    clock.advance(1)
    store.finalize("uuid:2", "<x/>", None)
    assert [i.instance_id for i in store.list_instances()] == ["uuid:2", "uuid:1", "uuid:3"]
    assert [i.instance_id for i in store.list_instances("draft")] == ["uuid:1", "uuid:3"]
    assert store.counts() == {"draft": 2, "finalized": 1, "sent": 0, "returned": 0, "superseded": 0}
    with pytest.raises(StoreError) as raised:
        store.list_instances("lost")
    assert raised.value.code == "store.unknown_state"


def test_counts_of_an_empty_store_has_every_state(store: Store) -> None:
    assert store.counts() == {"draft": 0, "finalized": 0, "sent": 0, "returned": 0, "superseded": 0}

"""Attachments (content-addressed files), paradata and settings."""

from __future__ import annotations

import errno
import hashlib
from pathlib import Path

import pytest
from store_support import DEMO_ID, DEMO_VERSION

from fieldapp.store import Store, StoreError


@pytest.fixture
def store(tmp_path: Path) -> Store:
    opened = Store.open(tmp_path / "fieldapp.db")
    opened.create_draft(DEMO_ID, DEMO_VERSION, "uuid:a", "<data/>", None)
    opened.create_draft(DEMO_ID, DEMO_VERSION, "uuid:b", "<data/>", None)
    return opened


def test_attachments_are_files_named_by_their_sha256(store: Store) -> None:
    data = b"\xff\xd8 a photo"
    attachment = store.add_attachment("uuid:a", "house.jpg", data)
    assert attachment.sha256 == hashlib.sha256(data).hexdigest()
    assert (attachment.size, attachment.filename) == (len(data), "house.jpg")
    assert attachment.path.read_bytes() == data
    assert attachment.path.name == attachment.sha256
    assert store.attachments("uuid:a") == [attachment]
    assert store.read_attachment("uuid:a", "house.jpg") == data


def test_the_same_content_is_stored_once_and_kept_while_used(store: Store) -> None:
    first = store.add_attachment("uuid:a", "x.jpg", b"same")
    second = store.add_attachment("uuid:b", "y.jpg", b"same")
    assert first.path == second.path
    store.delete_draft("uuid:a")
    assert store.read_attachment("uuid:b", "y.jpg") == b"same"


def test_replacing_an_attachment_drops_the_old_file(store: Store) -> None:
    old = store.add_attachment("uuid:a", "x.jpg", b"old")
    store.add_attachment("uuid:a", "x.jpg", b"new")
    assert store.read_attachment("uuid:a", "x.jpg") == b"new"
    assert not old.path.exists()
    assert len(store.attachments("uuid:a")) == 1


def test_a_damaged_or_missing_attachment_file_is_reported(store: Store) -> None:
    attachment = store.add_attachment("uuid:a", "x.jpg", b"photo")
    attachment.path.write_bytes(b"photo, truncated")
    with pytest.raises(StoreError) as raised:
        store.read_attachment("uuid:a", "x.jpg")
    assert (raised.value.code, raised.value.params["filename"]) == (
        "store.attachment_damaged",
        "x.jpg",
    )
    attachment.path.unlink()
    with pytest.raises(StoreError) as raised:
        store.read_attachment("uuid:a", "x.jpg")
    assert raised.value.code == "store.attachment_missing"


@pytest.mark.parametrize("filename", ["", "../escape.jpg", "a/b.jpg", ".."])
def test_a_filename_with_a_path_is_refused(store: Store, filename: str) -> None:
    with pytest.raises(StoreError) as raised:
        store.add_attachment("uuid:a", filename, b"x")
    assert raised.value.code == "store.bad_filename"
    assert store.attachments("uuid:a") == []


def test_an_attachment_for_an_unknown_instance_is_refused(store: Store) -> None:
    with pytest.raises(StoreError) as raised:
        store.add_attachment("uuid:none", "x.jpg", b"x")
    assert raised.value.code == "store.no_instance"


def test_paradata_is_kept_in_order_per_instance(store: Store) -> None:
    store.log_event("uuid:a", "form_start")
    store.log_event("uuid:a", "shown", "/data/household_id")
    store.log_event("uuid:b", "shown", "/data/region")
    store.log_event("uuid:a", "answered", "/data/household_id", "AB-0001")
    events = store.events("uuid:a")
    assert [(e.event, e.ref, e.value) for e in events] == [
        ("form_start", None, None),
        ("shown", "/data/household_id", None),
        ("answered", "/data/household_id", "AB-0001"),
    ]
    assert all(e.instance_id == "uuid:a" and e.at.endswith("Z") for e in events)
    with pytest.raises(StoreError):
        store.log_event("uuid:none", "shown")


def test_settings_set_read_and_remove(store: Store) -> None:
    assert store.get_setting("server_url") is None
    assert store.get_setting("server_url", "http://127.0.0.1:8000") == "http://127.0.0.1:8000"
    store.set_setting("server_url", "http://127.0.0.1:9000")
    store.set_setting("language", "fr")
    assert store.get_setting("server_url") == "http://127.0.0.1:9000"
    store.set_setting("server_url", None)
    assert store.get_setting("server_url") is None
    assert store.get_setting("language") == "fr"


def test_the_device_id_is_generated_once_and_kept(tmp_path: Path, store: Store) -> None:
    device_id = store.get_setting("device_id")
    assert device_id is not None and device_id.startswith("fieldapp:")
    with pytest.raises(StoreError):
        store.set_setting("device_id", "other")
    store.close()
    assert Store.open(tmp_path / "fieldapp.db").get_setting("device_id") == device_id
    assert Store.open(tmp_path / "other.db").get_setting("device_id") != device_id


def test_default_path_follows_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("FIELDAPP_DATA", str(tmp_path / "mine"))
    monkeypatch.setenv("FLET_APP_STORAGE_DATA", str(tmp_path / "flet"))
    assert Store.default_path() == tmp_path / "mine" / "fieldapp.db"
    monkeypatch.delenv("FIELDAPP_DATA")
    assert Store.default_path() == tmp_path / "flet" / "fieldapp.db"
    monkeypatch.delenv("FLET_APP_STORAGE_DATA")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert Store.default_path() == tmp_path / ".local" / "share" / "fieldapp" / "fieldapp.db"


def test_a_full_disk_while_writing_an_attachment_leaves_no_row_and_no_file(
    store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def no_space(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("fieldapp.store.files.os.fsync", no_space)
    with pytest.raises(StoreError) as raised:
        store.add_attachment("uuid:a", "photo.jpg", b"a photo")
    assert raised.value.code == "store.disk_full"
    assert store.attachments("uuid:a") == []
    assert [p for p in (tmp_path / "fieldapp.db.files").rglob("*") if p.is_file()] == []
    monkeypatch.undo()
    assert store.add_attachment("uuid:a", "photo.jpg", b"a photo").size == 7

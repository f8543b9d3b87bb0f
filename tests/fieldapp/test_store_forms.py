"""Forms on the device: add (read by the engine), same XForm again, versions, media."""

from __future__ import annotations

from pathlib import Path

import pytest
from store_support import DEMO_ID, DEMO_VERSION, DEMO_XFORM, demo_xform

from fieldapp.store import Store, StoreError


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store.open(tmp_path / "fieldapp.db")


def test_add_form_reads_id_version_title_and_hashes_the_xform(store: Store) -> None:
    form = store.add_form(DEMO_XFORM)
    assert (form.form_id, form.version, form.title) == (
        DEMO_ID,
        DEMO_VERSION,
        "Demo household income",
    )
    assert form.hash.startswith("md5:") and len(form.hash) == 36
    assert form.xform == DEMO_XFORM
    assert store.get_form(DEMO_ID, DEMO_VERSION) == form
    assert store.list_forms() == [form]


def test_the_same_xform_again_changes_nothing(store: Store) -> None:
    first = store.add_form(DEMO_XFORM)
    again = store.add_form(DEMO_XFORM)
    assert again == first
    assert again.downloaded_at == first.downloaded_at
    assert len(store.list_forms()) == 1


def test_a_changed_xform_of_the_same_version_replaces_it(store: Store) -> None:
    first = store.add_form(DEMO_XFORM)
    changed = store.add_form(demo_xform(title="Renamed"))
    assert store.get_form(DEMO_ID, DEMO_VERSION).title == "Renamed"
    assert changed.hash != first.hash
    assert len(store.list_forms()) == 1


def test_get_form_without_version_gives_the_newest_download(store: Store) -> None:
    store.add_form(DEMO_XFORM)
    newer = store.add_form(demo_xform(version="2026120101"))
    assert store.get_form(DEMO_ID) == newer
    assert store.get_form(DEMO_ID, DEMO_VERSION).version == DEMO_VERSION
    assert len(store.list_forms()) == 2


@pytest.mark.parametrize(("form_id", "version"), [("nope", None), (DEMO_ID, "1")])
def test_a_missing_form_is_a_store_error(store: Store, form_id: str, version: str | None) -> None:
    store.add_form(DEMO_XFORM)
    with pytest.raises(StoreError) as raised:
        store.get_form(form_id, version)
    assert raised.value.code == "store.no_form"
    assert form_id in raised.value.message


def test_an_unreadable_form_is_refused_and_nothing_is_stored(store: Store) -> None:
    with pytest.raises(StoreError) as raised:
        store.add_form("<h:html><broken")
    assert raised.value.code == "store.bad_form"
    assert store.list_forms() == []


def test_form_media_are_stored_as_files_and_read_back(store: Store, tmp_path: Path) -> None:
    media = {"logo.png": b"\x89PNG fake", "crops.csv": b"name,label\ncocoa,Cocoa\n"}
    store.add_form(DEMO_XFORM, media)
    assert store.form_media(DEMO_ID, DEMO_VERSION) == media
    assert store.form_media(DEMO_ID, None) == media
    stored = [p for p in (tmp_path / "fieldapp.db.files").rglob("*") if p.is_file()]
    assert sorted(p.read_bytes() for p in stored) == sorted(media.values())

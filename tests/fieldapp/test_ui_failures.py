"""What the app does when the device fails it (a full disk while saving, a damaged data
file), a photo picked from a file, a location typed by hand, and the end screen's summary:
the view-model and the question widgets, with the real store."""

from __future__ import annotations

from pathlib import Path

import flet as ft
import pytest

from fieldapp.app import load_demo_forms, open_store
from fieldapp.interview import Interview, QuestionView, SaveFailed
from fieldapp.store import Store
from fieldapp.ui import question_widgets
from fieldapp.ui.words import translator

PHOTO_FORM = """<?xml version="1.0"?>
<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml"
  xmlns:jr="http://openrosa.org/javarosa"><h:head><h:title>House photo</h:title>
<model><instance><data id="house_photo" version="1"><photo/><meta><instanceID/></meta></data>
</instance><bind nodeset="/data/photo" type="binary"/>
<bind nodeset="/data/meta/instanceID" type="string" readonly="true()" jr:preload="uid"/>
</model></h:head><h:body><upload ref="/data/photo" mediatype="image/*">
<label>Photo of the house</label></upload></h:body></h:html>"""
NAME = "/data/interview/member[1]/name"


def at_first_member(store: Store) -> Interview:
    interview = Interview.start(store, "demo_household")
    assert interview.answer("/data/consent", "yes").ok
    assert interview.answer("/data/interview/hh_size", "1").ok
    interview.jump(NAME)
    return interview


def test_a_full_disk_keeps_the_answer_reports_it_and_a_retry_saves_it(store: Store) -> None:
    interview = at_first_member(store)
    connection = store._db.conn
    pages = connection.execute("PRAGMA page_count").fetchone()[0]
    connection.execute(f"PRAGMA max_page_count = {pages}")  # the disk is now full
    long_name = "Amina " * 5000

    with pytest.raises(SaveFailed) as failed:
        interview.answer(NAME, long_name)

    assert "full" in str(failed.value).lower()
    assert interview.session.value(NAME) == long_name  # not dropped
    assert interview.unsaved
    assert long_name not in store.get_instance(interview.instance_id).xml
    with pytest.raises(SaveFailed):
        interview.next()  # never moves on while an answer is not on disk
    connection.execute("PRAGMA max_page_count = 1073741823")  # space freed
    interview.save()
    assert not interview.unsaved
    resumed = Interview.resume(store, interview.instance_id)
    assert resumed.session.value(NAME) == long_name


def test_a_damaged_data_file_is_kept_aside_and_the_app_works_again(tmp_path: Path) -> None:
    damaged = b"this is not a database " * 200
    (tmp_path / "fieldapp.db").write_bytes(damaged)

    store = open_store(tmp_path)
    try:
        assert store.recovered_from is not None
        assert store.recovered_from.read_bytes() == damaged
        load_demo_forms(store)
        interview = Interview.start(store, "demo_household")
        assert interview.answer("/data/household_id", "AB-1234").ok
        assert store.counts()["draft"] == 1
        message = translator("en")("app.store_recovered", path=str(store.recovered_from))
        assert str(store.recovered_from) in message and "damaged" in message
    finally:
        store.close()


def test_a_photo_picked_from_a_file_is_stored_as_an_attachment_and_answered(
    store: Store,
) -> None:
    store.add_form(PHOTO_FORM)
    interview = Interview.start(store, "house_photo")
    question = interview.screen().questions[0]
    assert question.widget == "photo"
    picture = b"\xff\xd8\xff\xe0 a jpeg picture"

    record = store.add_attachment(interview.instance_id, "house.jpg", picture)
    assert interview.answer(question.ref, record.filename).ok

    resumed = Interview.resume(store, interview.instance_id)
    assert resumed.session.value(question.ref) == record.filename
    assert store.read_attachment(interview.instance_id, record.filename) == picture


def texts(control: ft.Control) -> list[str]:
    found = [control.value] if isinstance(control, ft.Text) else []
    for child in getattr(control, "controls", None) or []:
        found += texts(child)
    return found


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_a_location_says_it_is_typed_by_hand(language: str) -> None:
    t = translator(language)
    question = QuestionView(
        "/data/location", "Homestead location", "", "geopoint", "", False, False
    )

    control, pending = question_widgets.build(question, lambda _v: None, t, lambda _n, _d: "")

    assert any(t("widget.geopoint_manual") in text for text in texts(control))
    assert pending is not None and pending() == ""


def test_a_repeat_instance_with_nothing_answered_is_listed_by_its_name(store: Store) -> None:
    interview = Interview.start(store, "living_income_household")
    assert interview.answer("/data/consent", "yes").ok
    while interview.screen().kind == "questions":
        interview.next()

    screen = interview.screen()

    assert screen.kind == "repeat_prompt"
    assert screen.repeat_items == (("/data/plots/plot[1]", "Plot 1"),)

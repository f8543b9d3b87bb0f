"""A field-list screen: typing in one question shows or hides another on the same screen
at once (no Enter, no Next), and the field typed in keeps the focus."""

from __future__ import annotations

from pathlib import Path

from e2e_app import AppProcess, open_page
from playwright.sync_api import Browser, expect

from fieldapp.app import open_store

FORM = """<?xml version="1.0"?>
<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml"
  xmlns:jr="http://openrosa.org/javarosa"><h:head><h:title>Field list check</h:title>
<model><instance><data id="field_list_check" version="1"><page><age/><school/></page>
<meta><instanceID/></meta></data></instance>
<bind nodeset="/data/page/age" type="int"/>
<bind nodeset="/data/page/school" type="string" relevant="/data/page/age &lt; 18"/>
<bind nodeset="/data/meta/instanceID" type="string" readonly="true()" jr:preload="uid"/>
</model></h:head><h:body><group ref="/data/page" appearance="field-list">
<input ref="/data/page/age"><label>Age</label></input>
<input ref="/data/page/school"><label>School</label></input></group></h:body></h:html>"""


def test_typing_switches_a_question_on_and_off_in_place(browser: Browser, tmp_path: Path) -> None:
    store = open_store(tmp_path / "device")
    store.add_form(FORM, {})
    store.close()
    app = AppProcess(tmp_path / "device", demo=False)
    app.start()
    try:
        page = open_page(browser, app)
        page.get_by_role("button", name="Forms").click()
        page.get_by_role("button", name="Start Field list check").click()
        age = page.get_by_role("textbox", name="Age")
        expect(age).to_be_focused()
        school = page.get_by_role("textbox", name="School")
        expect(school).to_have_count(0)
        page.keyboard.insert_text("1")
        expect(school).to_be_visible()  # shown as "1" is committed, without Enter
        expect(age).to_be_focused()
        page.keyboard.insert_text("9")
        expect(school).to_have_count(0)
        expect(age).to_be_focused()
        expect(age).to_have_value("19")
        page.close()
    finally:
        app.stop()

"""The filling screen behaves as an ODK Collect user expects (#14 items 1-3, 6-9), in Chromium
at phone size against one app process.

- Next stays on a screen whose required questions are empty or whose answers break a
  constraint (Collect's `FormController.saveAllScreenAnswers(answers, evaluateConstraints=
  true)` returns the first `ANSWER_REQUIRED_BUT_EMPTY` / `ANSWER_CONSTRAINT_VIOLATED` and
  `FormEntryActivity` stays); the message is on those questions only, and the first is
  scrolled into view. Back is never blocked (Collect saves without evaluating constraints
  when it moves backward).
- Finalize opens the first problem's screen with a message on the questions that have one.
- One compact bar at the bottom (Back, Next) and one at the top (name, save state, menu).
- Choice labels wrap; answering a question moves nothing below it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from e2e_app import PHONE, AppProcess, open_page, write
from playwright.sync_api import Browser, Locator, Page, expect

from fieldapp.app import open_store

REQUIRED = "Sorry, this response is required!"
INVALID = "Sorry, this response is invalid!"
LONG = (
    "Cocoa grown under shade trees with plantain and timber, sold to the cooperative "
    "after fermenting and drying at home"
)
NOTE = (
    "Read this to the respondent before the questions on amounts: we ask about the last "
    "twelve months, counting every harvest, whether it was sold, eaten, kept or given away. "
)
FORM = f"""<?xml version="1.0"?>
<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml"
  xmlns:jr="http://openrosa.org/javarosa"><h:head><h:title>Collect filling check</h:title>
<model><instance><data id="collect_filling" version="1">
<page><crop/><total/><note1/><note2/><note3/><part/><bottom/><tally/><why/></page><last/>
<meta><instanceID/></meta></data></instance>
<bind nodeset="/data/page/crop" type="string" required="true()"/>
<bind nodeset="/data/page/total" type="int" required="true()"/>
<bind nodeset="/data/page/note1" type="string" readonly="true()"/>
<bind nodeset="/data/page/note2" type="string" readonly="true()"/>
<bind nodeset="/data/page/note3" type="string" readonly="true()"/>
<bind nodeset="/data/page/part" type="int" required="true()" constraint=". &lt;= ../total"/>
<bind nodeset="/data/page/bottom" type="string"/>
<bind nodeset="/data/page/tally" type="string" readonly="true()"/>
<bind nodeset="/data/page/why" type="string" required="true()" relevant="/data/last = 'yes'"/>
<bind nodeset="/data/last" type="string" required="true()"/>
<bind nodeset="/data/meta/instanceID" type="string" readonly="true()" jr:preload="uid"/>
</model></h:head><h:body><group ref="/data/page" appearance="field-list">
<select1 ref="/data/page/crop"><label>Main crop</label>
<item><label>{LONG}</label><value>shade</value></item>
<item><label>Full-sun cocoa</label><value>sun</value></item></select1>
<input ref="/data/page/total"><label>Bags harvested</label></input>
<input ref="/data/page/note1"><label>{NOTE * 2}</label></input>
<input ref="/data/page/note2"><label>{NOTE * 2}</label></input>
<input ref="/data/page/note3"><label>{NOTE * 2}</label></input>
<input ref="/data/page/part"><label>Bags sold</label></input>
<select1 ref="/data/page/bottom"><label>Buyer</label>
<item><label>Cooperative</label><value>coop</value></item>
<item><label>Trader</label><value>trader</value></item></select1>
<input ref="/data/page/tally"><label>Sold <output value="../part"/> of <output value="../total"/>
</label></input>
<input ref="/data/page/why"><label>Why was nothing kept?</label></input></group>
<select1 ref="/data/last"><label>Was any kept for seed?</label>
<item><label>Yes</label><value>yes</value></item>
<item><label>No</label><value>no</value></item></select1></h:body></h:html>"""
REQUIRED_ON_PAGE = {"crop", "total", "part"}
"""The page's required questions that are relevant before /data/last is answered."""


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    data = tmp_path_factory.mktemp("collect") / "device"
    store = open_store(data)
    store.add_form(FORM, {})
    store.close()
    process = AppProcess(data)
    process.start()
    yield process
    process.stop()


@pytest.fixture
def page(browser: Browser, app: AppProcess) -> Iterator[Page]:
    opened = open_page(browser, app, PHONE)
    opened.get_by_role("button", name="Forms").click()
    opened.get_by_role("button", name="Start Collect filling check").click()
    expect(opened.get_by_role("radio", name="Full-sun cocoa")).to_be_visible()
    yield opened
    opened.close()


def box(locator: Locator) -> dict[str, float]:
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not on the page"
    return dict(found)


def tally(page: Page, part: str, total: str) -> None:
    """Wait until the app has both numbers: its note quoting them is redrawn in place (the
    browser shows typed text before the app has it; a Next tapped sooner judges the screen
    on what the app has)."""
    expect(page.get_by_text(f"Sold {part} of {total}")).to_have_count(1)


def fill_page(page: Page, *, total: str = "10", part: str = "3") -> None:
    page.get_by_role("radio", name="Full-sun cocoa").click()
    expect(page.get_by_role("radio", name="Full-sun cocoa")).to_be_checked()
    write(page, "Bags harvested", total)
    write(page, "Bags sold", part)
    tally(page, part, total)


def test_next_stays_on_empty_required_questions_and_back_is_never_blocked(page: Page) -> None:
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text(REQUIRED)).to_have_count(len(REQUIRED_ON_PAGE))
    expect(page.get_by_text(REQUIRED).first).to_be_in_viewport()
    page.get_by_role("radio", name="Full-sun cocoa").click()  # only its message goes
    expect(page.get_by_text(REQUIRED)).to_have_count(len(REQUIRED_ON_PAGE) - 1)
    write(page, "Bags harvested", "10")
    tally(page, "", "10")
    page.get_by_role("button", name="Next").click()
    sold = page.get_by_role("textbox", name="Bags sold")
    expect(sold).to_be_focused()  # the first problem left, with the keyboard
    expect(sold).to_be_in_viewport()
    expect(page.get_by_text(REQUIRED)).to_have_count(1)
    write(page, "Bags sold", "3")
    tally(page, "3", "10")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Was any kept for seed?")).to_be_visible()
    page.get_by_role("button", name="Back").click()  # "last" is empty and required
    expect(page.get_by_role("textbox", name="Bags harvested")).to_be_visible()


def test_a_broken_constraint_below_the_fold_is_brought_into_view(page: Page) -> None:
    fill_page(page)
    write(page, "Bags harvested", "1")  # 3 sold out of 1: the answer below is now invalid
    tally(page, "3", "1")
    expect(page.get_by_text(INVALID)).to_have_count(1)  # shown at once, below the fold
    sold = page.get_by_role("textbox", name="Bags sold")
    expect(sold).not_to_be_in_viewport()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text(INVALID)).to_be_in_viewport()
    expect(sold).to_be_focused()
    expect(page.get_by_text(REQUIRED)).to_have_count(0)


def test_finalize_names_only_the_question_left_empty(page: Page) -> None:
    fill_page(page)
    page.get_by_role("button", name="Next").click()
    page.get_by_role("radio", name="Yes", exact=True).click()  # "why" on the page is now asked
    expect(page.get_by_role("radio", name="Yes", exact=True)).to_be_checked()
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Finalize").click()
    why = page.get_by_role("textbox", name="Why was nothing kept?")
    expect(why).to_be_focused()
    expect(page.get_by_text(REQUIRED)).to_have_count(1)
    expect(page.get_by_text(REQUIRED)).to_be_in_viewport()


def test_one_compact_bar_at_each_end_with_the_rest_in_a_menu(page: Page) -> None:
    back, next_ = page.get_by_role("button", name="Back"), page.get_by_role("button", name="Next")
    back_box, next_box = box(back), box(next_)
    assert back_box["y"] == next_box["y"]  # one row
    assert min(back_box["height"], next_box["height"]) >= 48
    assert PHONE["height"] - back_box["y"] < 100  # the whole bar: well under two rows
    more = page.get_by_role("button", name="More")
    assert box(more)["y"] < 80 and box(more)["height"] >= 48
    expect(page.get_by_role("button", name="Go to question")).to_have_count(0)
    more.click()
    for name in ("Go to question", "Save as draft"):
        item = page.get_by_role("menuitem", name=name)
        expect(item).to_be_visible()
        assert box(item)["height"] >= 48
    page.get_by_role("menuitem", name="Save as draft").click()
    expect(page.get_by_role("button", name=re.compile("^Resume|^Continue")).first).to_be_visible()


def test_long_choice_labels_wrap_and_a_tap_on_the_label_chooses(page: Page) -> None:
    label = page.get_by_text(LONG)
    shown = box(label)
    assert shown["x"] + shown["width"] <= PHONE["width"]
    assert shown["height"] > 40  # two lines or more at 18 px
    label.click()
    expect(page.get_by_role("radio", name=LONG)).to_be_checked()


def test_answering_moves_nothing_below_and_the_save_state_stays_in_the_top_bar(
    page: Page,
) -> None:
    total = page.get_by_role("textbox", name="Bags harvested")
    before = box(total)["y"]
    page.get_by_role("radio", name="Full-sun cocoa").click()
    saved = page.get_by_text("Saved", exact=True)
    expect(saved).to_be_visible()
    expect(page.get_by_role("radio", name="Full-sun cocoa")).to_be_checked()
    assert box(total)["y"] == before
    assert box(saved)["y"] < 80
    page.get_by_role("radio", name=LONG).click()  # a second tap on the same question
    expect(page.get_by_role("radio", name=LONG)).to_be_checked()
    assert box(total)["y"] == before
    buyer = page.get_by_role("radio", name="Trader")
    buyer.scroll_into_view_if_needed()
    buyer.click()
    expect(buyer).to_be_checked()
    expect(saved).to_be_in_viewport()

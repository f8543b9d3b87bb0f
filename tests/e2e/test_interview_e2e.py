"""A whole interview of the demo form in Chromium against the real app process.

Every step waits on what the enumerator would see (the next label, "Saved", a message),
never on a fixed delay.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_app import AppProcess, open_page
from playwright.sync_api import Browser, Locator, Page, expect

MEMBERS = [("Amina", "Female", "41"), ("Kofi", "Male", "45"), ("Esi", "Female", "9")]


@pytest.fixture
def app(tmp_path: Path) -> Iterator[AppProcess]:
    process = AppProcess(tmp_path / "device")
    process.start()
    yield process
    process.stop()


def saved(page: Page) -> None:
    expect(page.get_by_text("Saved", exact=True)).to_be_visible()


def row(page: Page, label: str) -> Locator:
    """A row of Go to question, named by its label (its answer follows)."""
    return page.get_by_role("button", name=re.compile("^" + re.escape(label)))


def next_screen(page: Page) -> None:
    page.get_by_role("button", name="Next").click()


def choose(page: Page, label: str) -> None:
    page.get_by_role("radio", name=label, exact=True).click()
    saved(page)


def type_in(page: Page, label: str, text: str, *, refused: str = "") -> None:
    """Type into the field (focused as its screen shows); wait until it is saved, or
    until the message `refused` is shown."""
    box = page.get_by_role("textbox", name=label)
    expect(box).to_be_focused()
    box.fill(text)
    if refused:
        expect(page.get_by_text(refused)).to_be_visible()
    else:
        saved(page)


def test_whole_interview_with_roster_skip_logic_constraint_kill_and_finalize(
    browser: Browser, app: AppProcess
) -> None:
    page = open_page(browser, app)
    page.get_by_role("button", name="Forms").click()
    page.get_by_role("button", name="Start Demo household income").click()
    choose(page, "Adjoa Mensah")
    next_screen(page)
    type_in(page, "Household ID", "AB-1234")
    next_screen(page)
    choose(page, "North")
    next_screen(page)
    expect(page.get_by_text("Enter coordinates by hand")).to_be_visible()
    next_screen(page)

    # Skip logic: without consent the whole interview group is hidden.
    choose(page, "No")
    next_screen(page)
    expect(page.get_by_text("End of the interview")).to_be_visible()
    expect(page.get_by_text("How many people")).to_have_count(0)
    page.get_by_role("button", name="Back").click()
    choose(page, "Yes")
    next_screen(page)

    # A constraint message shown as the number is typed, then corrected.
    type_in(page, "How many people", "40", refused="Sorry, this response is invalid!")
    next_screen(page)
    expect(page.get_by_text("Sorry, this response is invalid!")).to_be_visible()
    type_in(page, "How many people", "3")
    expect(page.get_by_text("Sorry, this response is invalid!")).to_have_count(0)
    next_screen(page)

    for number, (name, sex, age) in enumerate(MEMBERS, start=1):
        expect(page.get_by_text(f"Household member {number}")).to_be_visible()
        type_in(page, "Name", name)
        next_screen(page)
        expect(page.get_by_text(f"Sex of {name}").first).to_be_visible()
        if number == 2:
            # Killed mid-interview; the draft resumes on the same screen, answers intact.
            app.kill()
            page.close()
            app.start()
            page = open_page(browser, app)
            page.get_by_role("button", name="Drafts").click()
            page.get_by_role("button", name=re.compile("^Resume AB-1234")).click()
            expect(page.get_by_text(f"Sex of {name}").first).to_be_visible()
        choose(page, sex)
        next_screen(page)
        type_in(page, f"Age of {name}", age)
        next_screen(page)

    # Skip logic: the price is asked only when cocoa was sold.
    type_in(page, "Cocoa sold", "0")
    next_screen(page)
    expect(page.get_by_role("textbox", name="Production costs")).to_be_visible()
    page.get_by_role("button", name="Back").click()
    type_in(page, "Cocoa sold", "1200")
    next_screen(page)
    type_in(page, "Price received per kg", "1.5")
    next_screen(page)
    type_in(page, "Production costs", "300")
    next_screen(page)
    expect(page.get_by_role("textbox", name="Other net income")).to_be_visible()
    next_screen(page)
    expect(page.get_by_text("Net household income: 1500")).to_be_visible()
    next_screen(page)

    expect(page.get_by_text("End of the interview")).to_be_visible()
    expect(page.get_by_text("Every required question is answered.")).to_be_visible()
    # The answers are read back in Go to question, Collect's hierarchy: labels, not names.
    page.get_by_role("button", name="Review the answers").click()
    expect(row(page, "Household ID")).to_contain_text("AB-1234")
    expect(row(page, "Enumerator")).to_contain_text("Adjoa Mensah")
    row(page, "Interview").click()
    row(page, "Household member").first.click()
    for number, (name, sex, age) in enumerate(MEMBERS, 1):
        row(page, f"Household member {number}: {name}").click()
        expect(row(page, f"Sex of {name}")).to_contain_text(sex)
        expect(row(page, f"Age of {name} (years)")).to_contain_text(age)
        page.get_by_role("button", name="Up").click()
    page.get_by_role("button", name="Back to the question").click()
    page.get_by_role("button", name="Finalize").click()
    expect(page.get_by_text("Interview finalized and ready to send")).to_be_visible()
    page.get_by_role("button", name="Ready to send").click()
    expect(page.get_by_role("button", name=re.compile("AB-1234 north"))).to_be_visible()
    page.get_by_role("button", name="Home").click()
    expect(page.get_by_text("Ready to send: 1")).to_be_visible()
    expect(page.get_by_text("Drafts: 0")).to_be_visible()


def test_a_damaged_data_file_is_reported_on_home_and_the_app_works(
    browser: Browser, tmp_path: Path
) -> None:
    data = tmp_path / "device"
    data.mkdir()
    (data / "fieldapp.db").write_bytes(b"this is not a database " * 200)
    app = AppProcess(data)
    app.start()
    try:
        page = open_page(browser, app)
        expect(page.get_by_text(re.compile("The data file was damaged"))).to_be_visible()
        page.get_by_role("button", name="Forms").click()
        page.get_by_role("button", name="Start Demo household income").click()
        choose(page, "Adjoa Mensah")
        page.close()
    finally:
        app.stop()
    assert list(data.glob("fieldapp.db.corrupt-*"))  # the damaged file, kept aside

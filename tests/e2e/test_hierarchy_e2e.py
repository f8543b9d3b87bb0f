"""Go to question, the end screen and repeats in Chromium at phone size, on the living income
questionnaire (ODK Collect's behaviour: FormHierarchyFragment's levels with an "up" action
and the current question highlighted; FormEndView's Finalize and Save as draft, with the
count of problems added; AddRepeatDialog's "Add" before the first instance and "Add another"
after; DeleteRepeatDialogFragment asks first)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from e2e_app import PHONE, AppProcess, go_to_question, open_page, write
from playwright.sync_api import Browser, Locator, Page, expect

from forms.library.build import TWIN, read_markdown

FORM = "Start Living income household questionnaire"
CONSENT = "Does the household agree to take part in the interview?"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    process = AppProcess(tmp_path_factory.mktemp("hierarchy") / "device")
    process.start()
    yield process
    process.stop()


def start_interview(browser: Browser, app: AppProcess) -> Page:
    page = open_page(browser, app, PHONE)
    page.get_by_role("button", name="Forms").click()
    page.get_by_role("button", name=FORM).click()
    expect(page.get_by_role("radio", name="Enumerator 01")).to_be_visible()
    return page


def row(page: Page, label: str) -> Locator:
    """A row of Go to question: its label, then its answer or state."""
    return page.get_by_role("button", name=re.compile("^" + re.escape(label)))


def answer_consent(page: Page, answer: str) -> None:
    go_to_question(page)
    row(page, CONSENT).click()
    page.get_by_role("radio", name=answer, exact=True).click()


def required_before_consent() -> int:
    """The form's required questions that come before consent, read from its source."""
    header, *rows = read_markdown(TWIN.read_text(encoding="utf-8"))["survey"]
    named = [dict(zip(header, r, strict=False)) for r in rows]
    until = next(n for n, r in enumerate(named) if r.get("name") == "consent")
    return sum(1 for r in named[:until] if r.get("required") == "yes")


def test_go_to_question_levels_answers_and_jumps(browser: Browser, app: AppProcess) -> None:
    page = start_interview(browser, app)
    answer_consent(page, "Yes")
    page.get_by_role("button", name="Next").click()
    write(page, "How many people live and eat in this household?", "2")
    page.get_by_role("button", name="Next").click()
    write(page, "First name of member 1", "Awa")
    page.get_by_role("radio", name="Female").click()

    go_to_question(page)  # opens on the member being filled, its question highlighted
    expect(page.get_by_text("1. Household members › Household member 1")).to_be_visible()
    sex = row(page, "Sex of Awa")
    expect(sex).to_be_visible()
    expect(sex).to_contain_text("Female")  # the choice's label, not its name `female`
    expect(sex).to_have_attribute("aria-current", "true")  # highlighted, as the one on screen
    expect(row(page, "Relation of Awa")).to_have_attribute("aria-current", "true")  # same screen

    page.get_by_role("button", name="Up").click()  # the roster's members
    expect(row(page, "Household member 1: Awa")).to_have_attribute("aria-current", "true")
    row(page, "Household member 2").click()
    expect(page.get_by_text("1. Household members › Household member 2")).to_be_visible()
    expect(row(page, "First name of member 2")).to_be_visible()
    page.get_by_role("button", name="Up").click()
    expect(row(page, "Household member 2")).to_be_visible()  # each tap answered before the next
    page.get_by_role("button", name="Up").click()
    size = row(page, "How many people live and eat in this household?")
    expect(size).to_contain_text("2")
    size.click()
    expect(page.get_by_role("textbox", name="How many people live")).to_have_value("2")
    page.close()


def test_the_end_screen_counts_problems_and_goes_to_the_first(
    browser: Browser, app: AppProcess
) -> None:
    page = start_interview(browser, app)
    answer_consent(page, "No")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("The household did not agree.", exact=False)).to_be_visible()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("button", name="Finalize")).to_be_visible()
    missing = required_before_consent()
    expect(page.get_by_text(f"{missing} questions need an answer or a correction")).to_be_visible()
    page.get_by_role("button", name="Go to the first one").click()
    expect(page.get_by_role("radio", name="Enumerator 01")).to_be_visible()
    page.close()


def test_the_repeat_prompt_wording_and_delete_asks_first(browser: Browser, app: AppProcess) -> None:
    page = start_interview(browser, app)
    answer_consent(page, "Yes")
    last = "Is the main crop grown on this plot?"  # Plot 1's last question when "No"
    go_to_question(page)  # consent is at the top level
    row(page, "2. Plots").click()
    row(page, "Plot (1)").click()
    row(page, "Plot 1").click()
    row(page, last).click()
    page.get_by_role("radio", name="No", exact=True).click()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Add another 'Plot'?")).to_be_visible()

    page.get_by_role("button", name="Delete Plot 1").click()
    expect(page.get_by_text("Delete Plot 1?")).to_be_visible()
    expect(page.get_by_text("1 answer will be lost.")).to_be_visible()
    page.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("button", name="Delete Plot 1")).to_be_visible()
    page.get_by_role("button", name="Delete Plot 1").click()
    page.get_by_role("button", name="Delete", exact=True).click()
    expect(page.get_by_text("Add 'Plot'?")).to_be_visible()
    expect(page.get_by_role("button", name="Delete Plot 1")).to_have_count(0)
    go_to_question(page)  # a repeat with no instance keeps its row, which leads to its prompt
    expect(row(page, "Plot (0)")).to_have_attribute("aria-current", "true")
    row(page, "Plot (0)").click()
    expect(page.get_by_text("Add 'Plot'?")).to_be_visible()
    page.close()

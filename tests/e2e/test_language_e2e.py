"""The form language of an interview survives a killed app, and a note's Markdown is drawn
as Collect draws it (issue #14 items 4, 5 and 11), in Chromium at phone size.

ODK Collect keeps the form language it was given and shows labels with ODK's Markdown
subset (docs.getodk.org/form-styling: `**bold**`, a newline as a line break). We keep the
language per interview: an interview started in French is resumed in French after a
SIGKILL even when the app's language has meanwhile become English, and inside it the
app's own words (Next, Saved) are French too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_app import AppProcess, open_page
from playwright.sync_api import Browser, expect

from fieldapp.app import open_store
from fieldapp.i18n import texts
from forms.xlsform import compile_xlsform

FORM = """
| survey |      |           |                                         |                                              |
|        | type | name      | label::English (en)                     | label::Français (fr)                         |
|        | text | head_name | Name of the household head              | Nom du chef de ménage                        |
|        | note | summary   | **Summary**⏎First line, _in italics_⏎Head: ${head_name} | **Résumé**⏎Première ligne, _en italique_⏎Chef : ${head_name} |
| settings |    |           |                                         |                                              |
|        | form_id | form_title | default_language                     |                                              |
|        | markdown_note | Markdown note | English (en)               |                                              |
"""
"""⏎ stands for a newline inside the label (a Markdown table cell cannot hold one)."""

FR, EN = texts("fr"), texts("en")


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    """The app on a device whose language is French, with the note form on it."""
    data = tmp_path_factory.mktemp("device")
    xform = compile_xlsform(FORM.encode(), filename="markdown_note.md").xform
    with open_store(data) as store:
        store.add_form(xform.replace("⏎", "\n"))
        store.set_setting("language", "fr")
    process = AppProcess(data)
    process.start()
    yield process
    process.stop()


def test_a_french_interview_resumes_in_french_after_a_kill_and_draws_its_note(
    browser: Browser, app: AppProcess, screenshot_dir: Path
) -> None:
    page = open_page(browser, app, ready=FR["sync.now"])
    page.get_by_role("button", name=FR["nav.forms"]).click()
    page.get_by_role("button", name=f"{FR['forms.start']} Markdown note").click()
    box = page.get_by_role("textbox", name="Nom du chef de ménage")
    expect(box).to_be_focused()
    box.fill("Awa")
    expect(page.get_by_text(FR["filling.saved"], exact=True)).to_be_visible()
    page.get_by_role("button", name=FR["filling.next"]).click()
    note = page.get_by_text(re.compile("Première ligne"))
    expect(note).to_be_visible()

    app.kill()  # SIGKILL: no chance to save anything more
    page.close()
    with open_store(app.data) as store:  # meanwhile the device is switched to English
        store.set_setting("language", "en")
    app.start()
    page = open_page(browser, app, ready=EN["sync.now"])
    page.get_by_role("button", name=EN["nav.drafts"]).click()
    page.get_by_role("button", name=re.compile(f"^{EN['drafts.resume']} ")).click()

    expect(page.get_by_text(re.compile("Première ligne"))).to_be_visible()
    expect(page.get_by_text(re.compile("Chef : Awa"))).to_be_visible()
    expect(page.get_by_role("button", name=FR["filling.next"])).to_be_visible()
    expect(page.get_by_role("button", name=EN["filling.next"], exact=True)).to_have_count(0)
    page.screenshot(path=str(screenshot_dir / "language-note-phone.png"))
    page.get_by_role("button", name=FR["filling.previous"]).click()
    expect(page.get_by_role("textbox", name="Nom du chef de ménage")).to_have_value("Awa")
    page.close()

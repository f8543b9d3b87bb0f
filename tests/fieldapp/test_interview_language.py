"""The form language is kept per interview (issue #14 item 4).

ODK Collect keeps the form language as an app-wide setting (FormEntryActivity's language
menu writes it to the form's preferences), so a killed and reopened form comes back in it.
We keep it per interview, which the issue asks for: a draft, a resumed draft, an edit of a
returned interview all reopen in the language they were left in, and a new interview starts
in the app's language when the form has it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldapp.app import load_demo_forms
from fieldapp.i18n import format_number
from fieldapp.interview import Interview
from fieldapp.interview_language import form_language_for, language_label
from fieldapp.store import Comment, Store
from fieldapp.store.connection import Connection
from fieldapp.store.schema import MIGRATIONS, migrate
from forms.errors import FormError
from forms.messages import language_code
from forms.xlsform import compile_xlsform

FORM = "living_income_household"
FRENCH, SPANISH, ENGLISH = "Français (fr)", "Español (es)", "English (en)"
HOUSEHOLD_ID = "/data/identification/household_id"


def enumerator_label(interview: Interview) -> str:
    return interview.screen().questions[0].label


def test_a_new_interview_starts_in_the_app_language_when_the_form_has_it(store: Store) -> None:
    french = Interview.start(store, FORM, app_language="fr")
    assert french.language == FRENCH
    assert enumerator_label(french) == "Enquêteur"
    assert store.get_instance(french.instance_id).language == FRENCH
    german = Interview.start(store, FORM, app_language="de")
    assert german.language == ENGLISH  # the form has no German: its default language
    assert Interview.start(store, FORM).language == ENGLISH


def test_the_chosen_language_survives_a_resume(store: Store) -> None:
    interview = Interview.start(store, FORM, app_language="en")
    assert interview.answer(HOUSEHOLD_ID, "HH-7").ok
    interview.set_language(SPANISH)
    assert enumerator_label(interview) == "Encuestador"
    resumed = Interview.resume(store, interview.instance_id, app_language="fr")
    assert resumed.language == SPANISH  # what was chosen, not the app's language
    assert enumerator_label(resumed) == "Encuestador"
    assert resumed.session.value(HOUSEHOLD_ID) == "HH-7"


def test_saving_an_answer_keeps_the_language(store: Store) -> None:
    interview = Interview.start(store, FORM, app_language="es")
    assert interview.answer(HOUSEHOLD_ID, "HH-8").ok
    interview.next()
    assert store.get_instance(interview.instance_id).language == SPANISH


def test_the_store_keeps_the_language_through_saves_and_a_correction(store: Store) -> None:
    """The store round trip: kept at creation, kept by a save that does not name it,
    replaced by one that does, carried to the new instanceID of a correction."""
    version = store.get_form(FORM).version
    store.create_draft(FORM, version, "uuid:a", "<data/>", "A", FRENCH)
    assert store.get_instance("uuid:a").language == FRENCH
    store.save_draft("uuid:a", "<data/>", "A", None)
    assert store.get_instance("uuid:a").language == FRENCH
    store.save_draft("uuid:a", "<data/>", "A", None, SPANISH)
    assert store.get_instance("uuid:a").language == SPANISH
    store.finalize("uuid:a", "<data/>", "A")
    store.mark_sent(["uuid:a"])
    store.mark_returned("uuid:a", "<data/>", [], FORM, version)
    assert store.get_instance("uuid:a").language == SPANISH
    assert store.replace_for_edit("uuid:a", "uuid:b", "<data/>").language == SPANISH


def test_an_unknown_language_is_refused_and_changes_nothing(store: Store) -> None:
    interview = Interview.start(store, FORM, app_language="fr")
    with pytest.raises(FormError) as raised:
        interview.set_language("Deutsch (de)")
    assert "Deutsch (de)" in str(raised.value) and FRENCH in str(raised.value)
    assert interview.language == FRENCH
    assert store.get_instance(interview.instance_id).language == FRENCH


def test_a_returned_interview_is_corrected_in_the_language_it_was_made_in(store: Store) -> None:
    interview = Interview.start(store, FORM, app_language="fr")
    assert interview.answer(HOUSEHOLD_ID, "HH-9").ok
    record = store.get_instance(interview.instance_id)
    store.finalize(interview.instance_id, record.xml, "HH-9")
    store.mark_sent([interview.instance_id])
    note = Comment(HOUSEHOLD_ID, "Numéro illisible", "sue", "2026-01-16")
    store.mark_returned(interview.instance_id, record.xml, [note], FORM, record.form_version)
    edit = Interview.resume(store, interview.instance_id, app_language="en")
    assert edit.instance_id != interview.instance_id
    assert edit.language == FRENCH
    assert store.get_instance(edit.instance_id).language == FRENCH
    assert Interview.resume(store, edit.instance_id).language == FRENCH


def test_a_returned_interview_new_to_this_device_opens_in_the_app_language(store: Store) -> None:
    """Pulled at sync from another device's work: no language was ever chosen here."""
    made_elsewhere = Interview.start(store, FORM)
    record = store.get_instance(made_elsewhere.instance_id)
    xml = record.xml.replace(made_elsewhere.instance_id, "uuid:from-elsewhere")
    store.mark_returned("uuid:from-elsewhere", xml, [], FORM, record.form_version)
    assert store.get_instance("uuid:from-elsewhere").language is None
    edit = Interview.resume(store, "uuid:from-elsewhere", app_language="es")
    assert edit.language == SPANISH


def test_an_old_store_opens_and_its_drafts_open_in_the_app_language(tmp_path: Path) -> None:
    path = tmp_path / "fieldapp.db"
    with Store.open(path) as fresh:
        load_demo_forms(fresh)
        draft = Interview.start(fresh, FORM)
        saved = fresh.get_instance(draft.instance_id)
    old = Connection(path)
    old.configure()
    with old.write() as conn:  # the store as it was before the language step
        conn.execute("DELETE FROM migrations WHERE version = ?", (len(MIGRATIONS),))
        conn.execute("ALTER TABLE instances DROP COLUMN language")
    assert migrate(old, upto=len(MIGRATIONS) - 1) == len(MIGRATIONS) - 1
    old.close()
    with Store.open(path) as store:
        kept = store.get_instance(draft.instance_id)
        assert (kept.xml, kept.language) == (saved.xml, None)
        resumed = Interview.resume(store, draft.instance_id, app_language="fr")
        assert resumed.language == FRENCH
        resumed.save()
        assert store.get_instance(draft.instance_id).language == FRENCH


@pytest.mark.parametrize(
    ("languages", "app", "expected"),
    [
        (("English (en)", "French (fr)"), "fr", "French (fr)"),
        (("English", "Français"), "fr", "Français"),
        (("English", "French"), "fr_CI.UTF-8", "French"),
        (("Espagnol", "Anglais"), "es", "Espagnol"),
        (("fr", "en"), "en", "en"),
        (("Kiswahili (sw)", "English (en)"), "fr", None),
        (("Français (fr)", "French"), "fr", "Français (fr)"),  # the code wins over a name
        ((), "fr", None),
    ],
)
def test_the_app_language_is_matched_by_code_then_by_name(
    languages: tuple[str, ...], app: str, expected: str | None
) -> None:
    assert form_language_for(languages, app) == expected


@pytest.mark.parametrize(
    ("name", "code", "label"),
    [
        ("French (fr)", "fr", "Français"),
        ("Español", "es", "Español"),
        ("Spanish", "es", "Español"),
        ("Kiswahili (sw)", "sw", "Kiswahili"),
        ("Bambara", None, "Bambara"),
        ("Mooré (mos)", "mos", "Mooré"),
    ],
)
def test_language_codes_and_the_names_the_language_control_shows(
    name: str, code: str | None, label: str
) -> None:
    assert language_code(name) == code
    assert language_label(name) == label


NOTE_FORM = """
| survey |           |         |                                 |                                      |                |
|        | type      | name    | label::English (en)             | label::Français (fr)                 | calculation    |
|        | text      | hh_code | Household code                  | Code du ménage                       |                |
|        | decimal   | area    | Area                            | Superficie                           |                |
|        | calculate | income  |                                 |                                      | ${area} * 1000 |
|        | note      | summary | **Total**: ${income}⏎Area ${area} ha, code ${hh_code} | **Total** : ${income}⏎Superficie ${area} ha, code ${hh_code} | |
| settings |         |         |                                 |                                      |                |
|        | form_id   | default_language |                        |                                      |                |
|        | note_numbers | English (en) |                          |                                      |                |
"""
"""A note with numbers; ⏎ stands for a newline in the label (a Markdown table has none)."""


def note_form() -> str:
    return compile_xlsform(NOTE_FORM.encode(), filename="note_numbers.md").xform.replace("⏎", "\n")


def test_numbers_in_a_note_follow_the_form_language(store: Store) -> None:
    """A number the form computes or asks for is written the form language's way (French
    groups thousands with a space and uses a decimal comma); a code typed as text is not."""
    store.add_form(note_form())
    interview = Interview.start(store, "note_numbers", app_language="fr")
    assert interview.answer("/data/hh_code", "12345").ok
    assert interview.answer("/data/area", "1234.5").ok
    income, area = format_number(1234.5 * 1000, "fr"), format_number(1234.5, "fr")
    assert (income, area) == ("1 234 500", "1 234,5")
    note = interview.session.label("/data/summary")
    assert note == f"**Total** : {income}\nSuperficie {area} ha, code 12345"
    interview.set_language(ENGLISH)
    english = interview.session.label("/data/summary")
    assert english == f"**Total**: {format_number(1234500, 'en')}\nArea 1,234.5 ha, code 12345"

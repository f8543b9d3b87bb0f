"""The review API shows an interview as its enumerator saw it (issue #15 item 2): choices from a
CSV file by their labels, notes with their `${ref}`s filled in from this submission, questions
in the form's order with a repeat in its place, and only the questions the enumerator was shown.

ODK Collect shows a select_one_from_file's chosen item by its `label` column, and a note's text
with its `<output>`s evaluated on the current answers (JavaRosa's `FormEntryPrompt
.getQuestionText` fills the outputs); the review shows the same, through our engine."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from forms.xform_reader import read_xform
from forms.xlsform import compile_xlsform
from sync.server.api.auth import add_user
from sync.server.app import ServerConfig, create_app, open_storage
from sync.server.publish import publish_file
from sync.server.review.render import render

pytestmark = pytest.mark.server_storage

FORM = Path(__file__).with_name("household_wording.md")
BENCHMARKS = "name,label\nci_cocoa_2024,Côte d'Ivoire cocoa 2024\ngh_cocoa_2024,Ghana cocoa 2024\n"
MEMBERS = (("Ama", "head", 40), ("Kojo", "child", 9))


def interview(instance_id: str, consent: str) -> str:
    members = "".join(
        f"<member><name>{n}</name><relation>{r}</relation><age>{a}</age><ask/></member>"
        for n, r, a in MEMBERS
    )
    roster = (
        f"<roster><hh_size>{len(MEMBERS)}</hh_size>{members}<adults/><summary/></roster>"
        if consent == "yes"
        else ""
    )
    return (
        '<data id="wording" version="1"><ident><hh_id>AB-7</hh_id></ident>'
        f"<benchmark>gh_cocoa_2024</benchmark><consent>{consent}</consent><refused/>{roster}"
        f"<meta><instanceID>{instance_id}</instanceID></meta></data>"
    )


@pytest.fixture(scope="module")
def client(
    tmp_path_factory: pytest.TempPathFactory, shared_database: str | None
) -> Iterator[tuple[TestClient, str, str]]:
    folder = tmp_path_factory.mktemp("wording")
    shutil.copy(FORM, folder / FORM.name)
    (folder / "benchmarks.csv").write_text(BENCHMARKS, encoding="utf-8")
    data = folder / "server"
    storage, blobs = open_storage(data)
    publish_file(storage, blobs, folder / FORM.name, runs=1)
    amina = add_user(storage, "amina", "enumerator", "north")
    sue = add_user(storage, "sue", "supervisor", "north")
    with TestClient(create_app(ServerConfig(data))) as test_client:
        items = [
            {"instance_id": iid, "form_id": "wording", "xml": interview(iid, consent)}
            for iid, consent in (("uuid:w-yes", "yes"), ("uuid:w-no", "no"))
        ]
        sent = test_client.post(
            "/api/v1/submissions",
            json={"batch_id": "b1", "device_id": "d1", "items": items},
            headers={"Authorization": f"Bearer {amina}"},
        )
        assert [r["status"] for r in sent.json()["results"]] == ["stored", "stored"]
        yield test_client, sue, amina


def rendered(client: tuple[TestClient, str, str], iid: str, language: str) -> dict[str, Any]:
    test_client, token, _ = client
    answer = test_client.get(
        f"/api/v1/review/submissions/{iid}",
        params={"language": language},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200, answer.text
    shown: dict[str, Any] = answer.json()["rendered"]
    return shown


def test_csv_choices_notes_and_form_order_as_the_enumerator_saw_them(
    client: tuple[TestClient, str, str],
) -> None:
    french = rendered(client, "uuid:w-yes", "Français (fr)")
    order = [[a["ref"].rsplit("/", 1)[-1] for a in s["answers"]] for s in french["sections"]]
    # identification first, then benchmark and consent, as in the form (the refusal note was
    # not shown: consent is yes), then the roster
    assert order == [["hh_id"], ["benchmark", "consent"], ["hh_size", "summary"]]
    answers = {a["ref"]: a for s in french["sections"] for a in s["answers"]}
    assert answers["/data/benchmark"]["display"] == "Ghana cocoa 2024"
    assert answers["/data/consent"]["display"] == "Oui"
    adults = len(MEMBERS)  # the form's calculate: count(${member})
    summary = answers["/data/roster/summary"]
    assert (summary["kind"], summary["label"]) == (
        "note",
        f"{len(MEMBERS)} personnes, {adults} adultes",
    )
    roster = french["sections"][2]
    assert roster["table_places"] == [1]  # the members' table between hh_size and the note
    [members] = roster["tables"]
    # the note in the repeat ("Ask ${name} in person") holds no answer: no column for it
    assert members["columns"] == ["Prénom", "Lien de [name] avec le chef", "Âge de [name] (ans)"]
    relations = {"head": "Chef", "child": "Enfant"}
    assert members["rows"] == [[n, relations[r], str(a)] for n, r, a in MEMBERS]


def test_a_note_shown_to_the_enumerator_is_shown_with_its_text(
    client: tuple[TestClient, str, str],
) -> None:
    english = rendered(client, "uuid:w-no", "English (en)")
    answers = {a["ref"]: a for s in english["sections"] for a in s["answers"]}
    assert answers["/data/consent"]["display"] == "No"
    refused = answers["/data/refused"]
    assert (refused["kind"], refused["label"]) == ("note", "Thank them; the interview ends.")
    assert "/data/roster/hh_size" not in answers


def test_a_submission_the_form_cannot_load_still_shows_with_the_forms_own_labels() -> None:
    """An interview with an element its form does not have (a form version changed under
    it) cannot be loaded into the engine: it still shows, with the form's own choice lists
    and a reference in a label named in brackets, never a traceback or a 500."""
    definition = read_xform(compile_xlsform(FORM).xform)
    xml = interview("uuid:w-old", "yes").replace("<refused/>", "<refused/><dropped>1</dropped>")
    shown = render(xml, definition, "English (en)")
    answers = {a.ref: a for s in shown.sections for a in s.answers}
    assert answers["/data/consent"].display == "Yes"
    assert answers["/data/benchmark"].display == "gh_cocoa_2024"  # its list is a file
    assert answers["/data/roster/summary"].label == "[hh_size] people, [adults] adults"


def test_a_corrections_history_reads_choices_by_their_labels(
    client: tuple[TestClient, str, str],
) -> None:
    """What a correction changed reads as the screen shows answers: the benchmark by its
    label in benchmarks.csv and a roster member's relation by its label."""
    test_client, token, enumerator = client
    fixed = (
        interview("uuid:w-fix", "yes")
        .replace("gh_cocoa_2024", "ci_cocoa_2024")
        .replace("<relation>child</relation>", "<relation>spouse</relation>")
        .replace("</instanceID>", "</instanceID><deprecatedID>uuid:w-yes</deprecatedID>")
    )
    sent = test_client.post(
        "/api/v1/submissions",
        json={"batch_id": "b2", "device_id": "d1",
              "items": [{"instance_id": "uuid:w-fix", "form_id": "wording", "xml": fixed}]},
        headers={"Authorization": f"Bearer {enumerator}"},
    )  # fmt: skip
    assert sent.json()["results"][0]["status"] == "stored", sent.text
    view = test_client.get("/api/v1/review/submissions/uuid:w-fix",
                           params={"language": "English (en)"},
                           headers={"Authorization": f"Bearer {token}"}).json()  # fmt: skip
    changes = {
        c["ref"]: (c["shown_before"], c["shown_after"]) for c in view["history"][1]["changes"]
    }
    assert changes == {
        "/data/benchmark": ("Ghana cocoa 2024", "Côte d'Ivoire cocoa 2024"),
        "/data/roster/member[2]/relation": ("Child", "Spouse"),
    }

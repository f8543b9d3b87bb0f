"""Issue #17, finding 3 on the batch API: a declared file is kept only when a field of the
submission names it (or it is the audit log), as over OpenRosa; the answer names the others,
in a field only clients that read it get, and the device treats them as done. Against a real
`fieldapp-server serve` over loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hardening_support import Live, file_ref, live_server, photo_xml
from server_support import DEMO_FORM

from fieldapp.store import Store
from fieldapp.sync_agent import SyncAgent, SyncOutcome
from sync.client import SyncClient
from sync.protocol import RESULT_FIELDS_HEADER, AttachmentRef, SubmissionItem

pytestmark = pytest.mark.server_storage

PHOTO = b"the photo the tablet took"
STRAY = b"a file no field names"
AUDIT = b"event,node,start,end\n"
NOT_KEPT = "Not kept, as no field of the submission names them: stray.bin."


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, shared_database: str | None) -> Iterator[Live]:
    with live_server(tmp_path_factory.mktemp("batch_files")) as server:
        yield server


def _post(live: Live, instance_id: str, headers: dict[str, str]) -> dict[str, object]:
    item = {
        "instance_id": instance_id,
        "form_id": "demo_household",
        "xml": photo_xml(instance_id),
        "attachments": [file_ref("photo.jpg", PHOTO), file_ref("stray.bin", STRAY)],
    }
    batch = {"batch_id": "b", "device_id": "d", "items": [item]}
    answer = httpx.post(
        f"{live.url}/api/v1/submissions", json=batch, headers={**live.auth("amina"), **headers}
    )
    assert answer.status_code == 200, answer.text
    result: dict[str, object] = answer.json()["results"][0]
    return result


def _received(live: Live, instance_id: str) -> set[str]:
    return {a.name for a in live.storage.attachments(instance_id) if a.received}


def test_the_referenced_photo_is_kept_and_the_stray_file_named(live: Live) -> None:
    reads = {RESULT_FIELDS_HEADER: "ignored_attachments"}
    assert _post(live, "uuid:stray", reads) == {
        "instance_id": "uuid:stray",
        "status": "stored",
        "missing_attachments": ["photo.jpg"],
        "message": NOT_KEPT,
        "ignored_attachments": ["stray.bin"],
    }
    url = f"{live.url}/api/v1/submissions/uuid:stray/attachments"
    photo = httpx.put(f"{url}/photo.jpg", content=PHOTO, headers=live.auth("amina"))
    stray = httpx.put(f"{url}/stray.bin", content=STRAY, headers=live.auth("amina"))
    assert photo.status_code == 201
    assert stray.status_code == 404
    assert _received(live, "uuid:stray") == {"photo.jpg"}
    assert {a.name for a in live.storage.attachments("uuid:stray")} == {"photo.jpg"}
    again = _post(live, "uuid:stray", reads)
    assert (again["status"], again["missing_attachments"]) == ("duplicate", [])
    assert again["ignored_attachments"] == ["stray.bin"]


def test_a_client_that_does_not_read_the_new_field_gets_the_answer_it_knows(live: Live) -> None:
    assert _post(live, "uuid:old-client", {}) == {
        "instance_id": "uuid:old-client",
        "status": "stored",
        "missing_attachments": ["photo.jpg"],
        "message": NOT_KEPT,
    }


def test_the_sync_client_sends_only_the_referenced_photo(live: Live) -> None:
    files = {"photo.jpg": PHOTO, "stray.bin": STRAY, "audit.csv": AUDIT}
    read: list[str] = []

    def read_attachment(instance_id: str, name: str) -> bytes:
        read.append(name)
        return files[name]

    item = SubmissionItem(
        instance_id="uuid:client",
        form_id="demo_household",
        xml=photo_xml("uuid:client"),
        attachments=[AttachmentRef.model_validate(file_ref(n, data)) for n, data in files.items()],
    )
    with SyncClient(live.url, live.tokens["amina"]) as client:
        [result] = client.push([item], read_attachment)
    assert (result.status, result.missing_attachments) == ("stored", [])
    assert result.ignored_attachments == ["stray.bin"]
    assert sorted(read) == ["audit.csv", "photo.jpg"]
    assert _received(live, "uuid:client") == {"audit.csv", "photo.jpg"}


def test_the_device_marks_the_instance_sent_and_notes_the_file_not_kept(
    live: Live, tmp_path: Path
) -> None:
    with Store.open(tmp_path / "fieldapp.db") as store:
        store.add_form(DEMO_FORM.read_text(encoding="utf-8"))
        store.create_draft(
            "demo_household", "2026112601", "uuid:agent", photo_xml("uuid:agent"), None
        )
        store.finalize(
            "uuid:agent", photo_xml("uuid:agent"), None, {"photo.jpg": PHOTO, "stray.bin": STRAY}
        )
        agent = SyncAgent(store, lambda _: SyncClient(live.url, live.tokens["amina"]))
        assert agent.run_once() == SyncOutcome(sent=1)
        assert store.get_instance("uuid:agent").state == "sent"
        noted = [(e.event, e.value) for e in store.events("uuid:agent")]
        assert noted[-1] == ("sync_files_not_kept", "stray.bin")
        assert agent.run_once() == SyncOutcome()
    assert _received(live, "uuid:agent") == {"photo.jpg"}

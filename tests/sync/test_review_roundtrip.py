"""The review loop over loopback: a `fieldapp-server serve` subprocess and the device store.

Device pushes → supervisor rejects with a question comment → device pull shows it on the
question → device corrects with FormSession.load(edit=True) → the new version is in the queue
with the field-level diff, the old one superseded."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from server_support import serving

from fieldapp.store import Store
from fieldapp.sync_agent import SyncAgent, provision
from forms.session import FormSession
from forms.xform_reader import read_xform
from sync.protocol import DeviceSettings
from sync.server.api.auth import add_user
from sync.server.app import open_storage
from sync.server.publish import publish_file

pytestmark = pytest.mark.server_storage

DEMO = Path(__file__).resolve().parents[2] / "assets" / "forms" / "demo_household.xml"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    data = tmp_path / "server"
    storage, blobs = open_storage(data)
    publish_file(storage, blobs, DEMO, runs=1)
    tokens = {name: add_user(storage, name, role, "north")
              for name, role in (("amina", "enumerator"), ("sue", "supervisor"))}  # fmt: skip
    with serving(data) as url:
        yield url, tokens


def test_reject_return_correct_and_new_version_in_queue(
    server: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    url, tokens = server
    sue = {"Authorization": f"Bearer {tokens['sue']}"}
    with Store.open(tmp_path / "device.db") as store:
        provision(store, DeviceSettings(server_url=url, token=tokens["amina"], project="1"))
        agent = SyncAgent(store)
        assert agent.run_once().error is None
        form = store.get_form("demo_household")
        definition = read_xform(form.xform)
        session = FormSession.new(definition)
        for ref, value in (("/data/enumerator", "e01"), ("/data/household_id", "AB-0042"),
                           ("/data/region", "north"), ("/data/consent", "no")):  # fmt: skip
            assert session.answer(ref, value).ok, ref
        assert session.finalize() == []
        old_id, xml = str(session.value("/data/meta/instanceID")), session.to_xml()
        store.create_draft(form.form_id, form.version, old_id, xml, "AB-0042 north")
        store.finalize(old_id, xml, "AB-0042 north")
        assert agent.run_once().sent == 1

        queue = httpx.get(f"{url}/api/v1/review/queue", headers=sue).json()
        assert [row["instance_id"] for row in queue] == [old_id]
        rejected = httpx.post(
            f"{url}/api/v1/review/submissions/{old_id}/decision",
            json={"decision": "rejected", "comment": "Check the card",
                  "question_comments": {"/data/household_id": "Card says AB-0024"}},
            headers=sue,
        )  # fmt: skip
        assert rejected.json()["state"] == "rejected", rejected.text

        assert agent.run_once().returned == 1
        returned = store.get_instance(old_id)
        assert returned.state == "returned"
        assert {(c.ref, c.text) for c in returned.comments} >= {
            ("/data/household_id", "Card says AB-0024")}  # fmt: skip

        edit = FormSession.load(definition, returned.xml, edit=True)
        assert edit.answer("/data/household_id", "AB-0024").ok
        assert edit.finalize() == []
        new_id = str(edit.value("/data/meta/instanceID"))
        assert new_id != old_id
        store.replace_for_edit(old_id, new_id, edit.to_xml())
        store.finalize(new_id, edit.to_xml(), "AB-0024 north")
        assert agent.run_once().sent == 1

    queue = httpx.get(f"{url}/api/v1/review/queue", headers=sue).json()
    assert [(row["instance_id"], row["deprecated_id"]) for row in queue] == [(new_id, old_id)]
    view = httpx.get(f"{url}/api/v1/review/submissions/{new_id}", headers=sue).json()
    assert [v["instance_id"] for v in view["history"]] == [old_id, new_id]
    changes = {c["ref"]: (c["before"], c["after"]) for c in view["history"][1]["changes"]}
    assert changes["/data/household_id"] == ("AB-0042", "AB-0024")

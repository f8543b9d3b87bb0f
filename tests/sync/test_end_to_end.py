"""End to end on loopback: a real `fieldapp-server serve` subprocess (the enumerator and the
QR code made with its CLI). The device is provisioned from the QR image, downloads the form,
fills it with FormSession, stores and syncs it; a supervisor returns it, and it comes back
to the device's store."""

from __future__ import annotations

import base64
import json
import subprocess
import zlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from server_support import CLI, free_port, serving

from fieldapp.store import Store
from fieldapp.sync_agent import STAGE_DONE, SyncAgent, provision, provision_from_code
from forms.session import FormSession
from forms.xform_reader import read_xform
from sync.provisioning import decode_qr_image, decode_settings
from sync.server.api.auth import add_user
from sync.server.app import open_storage
from sync.server.publish import publish_file

pytestmark = pytest.mark.server_storage

DEMO_FORM = Path(__file__).resolve().parents[2] / "assets" / "forms" / "demo_household.xml"


def _cli(*args: str) -> str:
    done = subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, shared_database: str | None
) -> Iterator[tuple[str, Path, dict[str, str]]]:
    tmp_path = tmp_path_factory.mktemp("e2e")
    data = tmp_path / "server"
    storage, blobs = open_storage(data)
    publish_file(storage, blobs, DEMO_FORM, runs=1)
    supervisor = add_user(storage, "sue", "supervisor", "north")
    kojo = add_user(storage, "kojo", "enumerator", "north")
    _cli(
        "users", "add", "amina", "--role", "enumerator", "--district", "north", "--data", str(data)
    )
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    qr = tmp_path / "amina.png"
    _cli("users", "qr", "amina", "-o", str(qr), "--url", url, "--rotate", "--data", str(data))
    with serving(data, port) as url:
        yield url, data, {"qr": str(qr), "supervisor": supervisor, "kojo": kojo}


def _fill(xform: str) -> tuple[str, str]:
    session = FormSession.new(read_xform(xform, source_name="downloaded"))
    for ref, value in (
        ("/data/enumerator", "e01"),
        ("/data/household_id", "AB-0042"),
        ("/data/region", "north"),
        ("/data/consent", "no"),
    ):
        assert session.answer(ref, value).ok, ref
    assert session.finalize() == []
    return str(session.value("/data/meta/instanceID")), session.to_xml()


def test_provision_download_fill_sync_and_get_it_back(
    server: tuple[str, Path, dict[str, str]], tmp_path: Path
) -> None:
    url, data, secrets = server
    settings = decode_settings(decode_qr_image(Path(secrets["qr"]).read_bytes()))
    assert settings.server_url == url and settings.username == "amina"
    with Store.open(tmp_path / "device" / "fieldapp.db") as store:
        provision(store, settings)
        agent = SyncAgent(store)
        stages: list[str] = []
        first = agent.run_once(lambda done, total, stage: stages.append(stage))
        assert first.error is None and first.forms_updated == 1, first
        assert "pull_forms" in stages
        form = store.get_form("demo_household")

        instance_id, xml = _fill(form.xform)
        store.create_draft(form.form_id, form.version, instance_id, xml, "AB-0042 north")
        # the audit log the app attaches on finalize (no field names it; ODK Collect's too)
        store.add_attachment(instance_id, "audit.csv", b"event,node,start,end\nform start,,1,1\n")
        store.finalize(instance_id, xml, "AB-0042 north")
        second = agent.run_once()
        assert (second.sent, second.error, second.forms_updated) == (1, None, 0), second
        assert store.get_instance(instance_id).state == "sent"
        assert store.get_setting("sync_stage") == STAGE_DONE
        assert store.get_setting("last_sync")

        held, _ = open_storage(data)
        submission = held.submission(instance_id)
        assert submission is not None and submission.enumerator == "amina"
        assert "<household_id>AB-0042</household_id>" in submission.xml
        assert [(a.name, a.received) for a in held.attachments(instance_id)] == [
            ("audit.csv", True)
        ]

        review = httpx.post(
            f"{url}/api/v1/review/{instance_id}",
            json={
                "decision": "rejected",
                "comment": "Check the household ID",
                "question_comments": {"/data/household_id": "Card says AB-0024"},
            },
            headers={"Authorization": f"Bearer {secrets['supervisor']}"},
        )
        assert review.status_code == 200, review.text
        third = agent.run_once()
        assert (third.returned, third.sent, third.error) == (1, 0, None), third
        returned = store.get_instance(instance_id)
        assert returned.state == "returned"
        assert {c.text for c in returned.comments} == {
            "Check the household ID",
            "Card says AB-0024",
        }
        assert agent.run_once().returned == 0


def test_plain_odk_collect_code_syncs_by_openrosa(
    server: tuple[str, Path, dict[str, str]], tmp_path: Path
) -> None:
    url, data, secrets = server
    document = {
        "general": {"server_url": f"{url}/v1/key/{secrets['kojo']}/projects/1", "username": "kojo"},
        "admin": {"change_server": False},
    }
    code = base64.b64encode(zlib.compress(json.dumps(document).encode())).decode()
    with Store.open(tmp_path / "device" / "fieldapp.db") as store:
        provision_from_code(store, code)
        assert store.get_setting("protocol") == "openrosa"
        agent = SyncAgent(store)
        first = agent.run_once()
        assert (first.forms_updated, first.error) == (1, None), first
        form = store.get_form("demo_household")
        instance_id, xml = _fill(form.xform)
        xml = xml.replace("<consent>", "<card>card.jpg</card><consent>")  # a field names it
        store.create_draft(form.form_id, form.version, instance_id, xml, None)
        store.add_attachment(instance_id, "card.jpg", b"\xff\xd8 card")
        store.finalize(instance_id, xml, None)
        second = agent.run_once()
        assert (second.sent, second.forms_updated, second.error) == (1, 0, None), second
        assert store.get_instance(instance_id).state == "sent"
    held, _ = open_storage(data)
    submission = held.submission(instance_id)
    assert submission is not None and submission.enumerator == "kojo"
    assert [(a.name, a.received) for a in held.attachments(instance_id)] == [("card.jpg", True)]

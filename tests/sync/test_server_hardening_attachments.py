"""Issue #17, finding 3: an attachment's declared sha256 holds on every path (batch PUT and
OpenRosa), and OpenRosa keeps only files the submission's fields name, saying which it did
not keep. Against a real `fieldapp-server serve` over loopback."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from xml.etree.ElementTree import fromstring

import httpx
import pytest
from hardening_support import Live, file_ref, live_server, photo_xml

pytestmark = pytest.mark.server_storage

PHOTO = b"the photo the tablet took"
OTHER = b"other bytes under the same name"
NS = {"r": "http://openrosa.org/http/response"}


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, shared_database: str | None) -> Iterator[Live]:
    with live_server(tmp_path_factory.mktemp("attachments")) as server:
        yield server


def _declare(live: Live, instance_id: str) -> None:
    photo = file_ref("photo.jpg", PHOTO)
    item = {
        "instance_id": instance_id,
        "form_id": "demo_household",
        "xml": photo_xml(instance_id),
        "attachments": [photo],
    }
    batch = {"batch_id": "b", "device_id": "d", "items": [item]}
    answer = httpx.post(f"{live.url}/api/v1/submissions", json=batch, headers=live.auth("amina"))
    assert answer.json()["results"][0]["missing_attachments"] == ["photo.jpg"]


def _openrosa(live: Live, xml: str, *files: tuple[str, bytes]) -> httpx.Response:
    parts = [("xml_submission_file", ("submission.xml", xml.encode(), "text/xml"))]
    parts += [(name, (name, data, "image/jpeg")) for name, data in files]
    return httpx.post(f"{live.openrosa('amina')}/submission", files=parts, timeout=30)


def _received(live: Live, instance_id: str) -> dict[str, str]:
    return {a.name: a.sha256 for a in live.storage.attachments(instance_id) if a.received}


def test_openrosa_bytes_must_match_the_sha256_declared_in_the_batch(live: Live) -> None:
    _declare(live, "uuid:declared")
    refused = _openrosa(live, photo_xml("uuid:declared"), ("photo.jpg", OTHER))
    assert refused.status_code == 409
    message = fromstring(refused.content).findtext("r:message", namespaces=NS)
    assert message == "attachment 'photo.jpg' differs from the sha256 declared for it before"
    assert _received(live, "uuid:declared") == {}
    assert _openrosa(live, photo_xml("uuid:declared"), ("photo.jpg", PHOTO)).status_code == 201
    assert _received(live, "uuid:declared") == {"photo.jpg": hashlib.sha256(PHOTO).hexdigest()}


def test_the_batch_put_refuses_other_bytes_than_declared(live: Live) -> None:
    _declare(live, "uuid:put")
    url = f"{live.url}/api/v1/submissions/uuid:put/attachments/photo.jpg"
    refused = httpx.put(url, content=OTHER, headers=live.auth("amina"))
    assert refused.status_code == 409 and "differs from the sha256" in refused.json()["detail"]
    assert _received(live, "uuid:put") == {}
    assert httpx.put(url, content=PHOTO, headers=live.auth("amina")).status_code == 201


def test_openrosa_refuses_other_bytes_for_a_file_it_already_holds(live: Live) -> None:
    xml = photo_xml("uuid:twice")
    assert _openrosa(live, xml, ("photo.jpg", PHOTO)).status_code == 201
    again = _openrosa(live, xml, ("photo.jpg", OTHER))
    assert again.status_code == 409 and b"sha256 received for it before" in again.content
    assert _received(live, "uuid:twice") == {"photo.jpg": hashlib.sha256(PHOTO).hexdigest()}


def test_openrosa_keeps_only_files_the_submission_names_and_says_so(live: Live) -> None:
    answer = _openrosa(
        live, photo_xml("uuid:extra"), ("photo.jpg", PHOTO), ("extra.bin", b"not named anywhere")
    )
    assert answer.status_code == 201
    message = fromstring(answer.content).findtext("r:message", namespaces=NS) or ""
    assert message.endswith("Not kept, as no field of the submission names them: extra.bin.")
    assert set(_received(live, "uuid:extra")) == {"photo.jpg"}

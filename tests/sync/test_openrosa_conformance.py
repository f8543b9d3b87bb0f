"""OpenRosa as ODK Collect speaks it (ODK docs: OpenRosa form list, form submission API)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from defusedxml.ElementTree import fromstring
from server_support import Server, instance_xml, make_server

pytestmark = pytest.mark.server_storage

NS = {"x": "http://openrosa.org/xforms/xformsList", "r": "http://openrosa.org/http/response"}
COLLECT = {
    "X-OpenRosa-Version": "1.0",
    "User-Agent": "org.odk.collect.android/v2024.2.0",
    "Date": "Tue, 26 Nov 2024 10:00:00 GMT+00:00",
}


def _base(server: Server, user: str = "amina") -> str:
    return f"/v1/key/{server.tokens[user]}/projects/1"


def _post(server: Server, xml: str, *files: tuple[str, bytes], user: str = "amina"):  # type: ignore[no-untyped-def]
    parts = [("xml_submission_file", ("submission.xml", xml.encode(), "text/xml"))]
    parts += [(name, (name, data, "image/jpeg")) for name, data in files]
    return server.client.post(f"{_base(server, user)}/submission", files=parts, headers=COLLECT)


def test_head_submission_announces_version_and_size_limit(tmp_path: Path) -> None:
    server = make_server(tmp_path, body_limit=1_000_000)
    answer = server.client.head(f"{_base(server)}/submission", headers=COLLECT)
    assert answer.status_code == 204
    assert answer.headers["X-OpenRosa-Version"] == "1.0"
    assert answer.headers["X-OpenRosa-Accept-Content-Length"] == "1000000"


def test_form_list_and_download_with_md5(tmp_path: Path) -> None:
    server = make_server(tmp_path)
    answer = server.client.get(f"{_base(server)}/formList", headers=COLLECT)
    assert answer.status_code == 200 and answer.headers["X-OpenRosa-Version"] == "1.0"
    assert answer.headers["content-type"].startswith("text/xml")
    root = fromstring(answer.content)
    (form,) = root.findall("x:xform", NS)
    assert form.findtext("x:formID", namespaces=NS) == "demo_household"
    assert form.findtext("x:version", namespaces=NS) == "2026112601"
    url = form.findtext("x:downloadUrl", namespaces=NS)
    assert url is not None
    xform = server.client.get(url, headers=COLLECT)
    assert xform.status_code == 200
    assert form.findtext("x:hash", namespaces=NS) == "md5:" + hashlib.md5(xform.content).hexdigest()


def test_submission_made_like_collect_is_accepted_and_resend_is_201(tmp_path: Path) -> None:
    server = make_server(tmp_path)
    xml = instance_xml("uuid:c1")
    first = _post(server, xml)
    assert first.status_code == 201
    assert first.headers["X-OpenRosa-Version"] == "1.0"
    message = fromstring(first.content).find("r:message", NS)
    assert message is not None and message.text
    assert _post(server, xml).status_code == 201
    assert server.storage.count_submissions() == 1


def test_same_instance_id_different_xml_is_409(tmp_path: Path) -> None:
    server = make_server(tmp_path)
    assert _post(server, instance_xml("uuid:c1")).status_code == 201
    answer = _post(server, instance_xml("uuid:c1", household="ZZ-0002"))
    assert answer.status_code == 409
    assert fromstring(answer.content).find("r:message", NS) is not None
    stored = server.storage.submission("uuid:c1")
    assert stored is not None and "AB-0001" in stored.xml


def test_attachments_over_several_posts(tmp_path: Path) -> None:
    server = make_server(tmp_path)
    photos = "<photo>a.jpg</photo><photo>b.jpg</photo><consent>"
    xml = instance_xml("uuid:c1").replace("<consent>", photos)
    assert _post(server, xml, ("a.jpg", b"first photo")).status_code == 201
    assert _post(server, xml, ("b.jpg", b"second photo")).status_code == 201
    names = {a.name: a.received for a in server.storage.attachments("uuid:c1")}
    assert names == {"a.jpg": True, "b.jpg": True}
    assert server.storage.count_submissions() == 1


def test_deprecated_id_makes_an_edit(tmp_path: Path) -> None:
    server = make_server(tmp_path)
    assert _post(server, instance_xml("uuid:c1")).status_code == 201
    assert _post(server, instance_xml("uuid:c2", deprecated="uuid:c1")).status_code == 201
    edit = server.storage.submission("uuid:c2")
    assert edit is not None and edit.deprecated_id == "uuid:c1"


def test_over_the_size_limit_is_413_with_a_message(tmp_path: Path) -> None:
    server = make_server(tmp_path, body_limit=50_000)
    answer = _post(server, instance_xml("uuid:big"), ("big.jpg", b"x" * 60_000))
    assert answer.status_code == 413
    assert "size limit" in answer.text
    assert server.storage.count_submissions() == 0

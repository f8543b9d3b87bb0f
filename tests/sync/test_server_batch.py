"""The batch API: per-item results, safe repeats, attachments, pulls of returned instances."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import pytest
from server_support import Server, instance_xml, item, make_server

pytestmark = pytest.mark.server_storage


def _batch(*items: dict[str, object], batch_id: str = "b1") -> dict[str, object]:
    return {"batch_id": batch_id, "device_id": "tab-1", "items": list(items)}


def test_store_duplicate_conflict_in_one_batch(tmp_path: Path) -> None:
    server = make_server(tmp_path)
    first = server.client.post(
        "/api/v1/submissions", json=_batch(item("uuid:1")), headers=server.auth("amina")
    )
    assert first.status_code == 200
    assert first.json()["results"][0]["status"] == "stored"
    changed = {
        "instance_id": "uuid:1",
        "form_id": "demo_household",
        "xml": instance_xml("uuid:1", household="ZZ-9999"),
    }
    again = server.client.post(
        "/api/v1/submissions",
        json=_batch(item("uuid:1"), changed, item("uuid:2")),
        headers=server.auth("amina"),
    )
    assert [r["status"] for r in again.json()["results"]] == ["duplicate", "conflict", "stored"]
    assert server.storage.count_submissions() == 2
    stored = server.storage.submission("uuid:1")
    assert (
        stored is not None
        and stored.district == "north"
        and stored.instance_name == "AB-0001 north"
    )


def test_gzip_body_and_edit_via_deprecated_id(tmp_path: Path) -> None:
    server = make_server(tmp_path)
    body = gzip.compress(
        json.dumps(_batch(item("uuid:1"), item("uuid:2", deprecated="uuid:1"))).encode()
    )
    headers = {
        **server.auth("amina"),
        "Content-Encoding": "gzip",
        "Content-Type": "application/json",
    }
    answer = server.client.post("/api/v1/submissions", content=body, headers=headers)
    assert [r["status"] for r in answer.json()["results"]] == ["stored", "stored"]
    edit = server.storage.submission("uuid:2")
    assert edit is not None and edit.deprecated_id == "uuid:1"


def test_rejected_items_name_the_problem(tmp_path: Path) -> None:
    server = make_server(tmp_path)
    bad = [
        {"instance_id": "uuid:x", "form_id": "demo_household", "xml": "<data"},
        {"instance_id": "uuid:y", "form_id": "demo_household", "xml": instance_xml("uuid:other")},
        {
            "instance_id": "uuid:z",
            "form_id": "nope",
            "xml": instance_xml("uuid:z").replace("demo_household", "nope"),
        },
    ]
    results = server.client.post(
        "/api/v1/submissions", json=_batch(*bad), headers=server.auth("amina")
    ).json()["results"]
    assert [r["status"] for r in results] == ["rejected"] * 3
    assert "well-formed" in results[0]["message"] and "differs" in results[1]["message"]
    assert "not published" in results[2]["message"]
    assert server.storage.count_submissions() == 0


def test_missing_attachments_listed_then_uploaded_once(tmp_path: Path) -> None:
    server = make_server(tmp_path)
    photo = b"\x89PNG fake photo bytes"
    digest = hashlib.sha256(photo).hexdigest()
    xml = instance_xml("uuid:1").replace("<consent>", "<photo>photo.jpg</photo><consent>")
    entry = {
        **item("uuid:1"),
        "xml": xml,
        "attachments": [{"name": "photo.jpg", "sha256": digest, "size": len(photo)}],
    }
    result = server.client.post(
        "/api/v1/submissions", json=_batch(entry), headers=server.auth("amina")
    ).json()
    assert result["results"][0]["missing_attachments"] == ["photo.jpg"]
    url = "/api/v1/submissions/uuid:1/attachments/photo.jpg"
    headers = {**server.auth("amina"), "X-Content-SHA256": digest}
    assert server.client.put(url, content=photo, headers=headers).status_code == 201
    assert server.client.put(url, content=photo, headers=headers).status_code == 200
    assert server.client.put(url, content=b"other", headers=server.auth("amina")).status_code == 409
    again = server.client.post(
        "/api/v1/submissions", json=_batch(entry), headers=server.auth("amina")
    ).json()
    assert again["results"][0] == {
        "instance_id": "uuid:1",
        "status": "duplicate",
        "missing_attachments": [],
        "message": None,
    }
    assert (server.data / "blobs" / digest[:2] / digest[2:]).read_bytes() == photo


def _review(server: Server, who: str, decision: str) -> int:
    body = {
        "decision": decision,
        "comment": "check the household ID",
        "question_comments": {"/data/household_id": "typo?"},
    }
    return server.client.post(
        "/api/v1/review/uuid:1", json=body, headers=server.auth(who)
    ).status_code


def test_rejected_review_returns_the_instance_to_its_enumerator_only(tmp_path: Path) -> None:
    server = make_server(tmp_path)
    server.client.post(
        "/api/v1/submissions", json=_batch(item("uuid:1")), headers=server.auth("amina")
    )
    start = server.client.get("/api/v1/pull", headers=server.auth("amina")).json()
    assert [f["form_id"] for f in start["forms"]] == ["demo_household"] and start["returned"] == []
    assert _review(server, "sam", "rejected") == 403  # other district
    assert _review(server, "amina", "rejected") == 403  # not a supervisor
    assert _review(server, "sue", "rejected") == 200
    pulled = server.client.get(
        "/api/v1/pull", params={"cursor": start["cursor"]}, headers=server.auth("amina")
    ).json()
    assert pulled["forms"] == []
    (returned,) = pulled["returned"]
    assert returned["instance_id"] == "uuid:1" and returned["xml"] == instance_xml("uuid:1")
    assert {(c["ref"], c["text"]) for c in returned["comments"]} == {
        (None, "check the household ID"),
        ("/data/household_id", "typo?"),
    }
    other = server.client.get(
        "/api/v1/pull", params={"cursor": start["cursor"]}, headers=server.auth("kofi")
    ).json()
    assert other["returned"] == []
    later = server.client.get(
        "/api/v1/pull", params={"cursor": pulled["cursor"]}, headers=server.auth("amina")
    ).json()
    assert later["returned"] == []


def test_form_download_matches_advertised_hash(tmp_path: Path) -> None:
    server = make_server(tmp_path)
    (info,) = server.client.get("/api/v1/pull", headers=server.auth("kofi")).json()["forms"]
    xform = server.client.get(info["download_url"], headers=server.auth("kofi")).content
    assert info["hash"] == "md5:" + hashlib.md5(xform).hexdigest()

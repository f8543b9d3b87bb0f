"""Refusals: wrong, revoked and other-district tokens, traversal, XML bombs, big bodies. Nothing stored."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from server_support import item, make_server

pytestmark = pytest.mark.server_storage

BOMB = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    '<data id="demo_household"><household_id>&lol3;</household_id>'
    "<meta><instanceID>uuid:bomb</instanceID></meta></data>"
)
EXTERNAL = (
    '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    '<data id="demo_household"><a>&x;</a><meta><instanceID>uuid:xxe</instanceID></meta></data>'
)


def _batch(*items: dict[str, object]) -> dict[str, object]:
    return {"batch_id": "b", "device_id": "d", "items": list(items)}


@pytest.mark.parametrize("token", ["", "not-a-token", "x" * 43])
def test_wrong_tokens_are_401_and_store_nothing(tmp_path: Path, token: str) -> None:
    server = make_server(tmp_path)
    answer = server.client.post(
        "/api/v1/submissions",
        json=_batch(item("uuid:1")),
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 401
    openrosa = server.client.head(f"/v1/key/{token or 'none'}/projects/1/submission")
    assert openrosa.status_code == 401
    assert server.storage.count_submissions() == 0


def test_revoked_token_stops_working(tmp_path: Path) -> None:
    server = make_server(tmp_path)
    assert server.storage.revoke("amina")
    answer = server.client.post(
        "/api/v1/submissions", json=_batch(item("uuid:1")), headers=server.auth("amina")
    )
    assert answer.status_code == 401
    assert server.storage.count_submissions() == 0


@pytest.mark.sqlite_only("reads the bytes of the SQLite file")
def test_tokens_are_stored_hashed(tmp_path: Path) -> None:
    server = make_server(tmp_path)
    raw = (tmp_path / "server.db").read_bytes()
    assert len(server.tokens["amina"]) >= 43
    assert server.tokens["amina"].encode() not in raw


def test_supervisor_cannot_submit_and_enumerator_cannot_touch_anothers(tmp_path: Path) -> None:
    server = make_server(tmp_path)
    assert (
        server.client.post(
            "/api/v1/submissions", json=_batch(item("uuid:1")), headers=server.auth("sue")
        ).status_code
        == 403
    )
    photo = {"name": "p.jpg", "sha256": "0" * 64, "size": 1}
    server.client.post(
        "/api/v1/submissions",
        json=_batch({**item("uuid:1"), "attachments": [photo]}),
        headers=server.auth("amina"),
    )
    put = server.client.put(
        "/api/v1/submissions/uuid:1/attachments/p.jpg", content=b"x", headers=server.auth("kofi")
    )
    assert put.status_code == 404
    steal = server.client.post(
        "/api/v1/submissions", json=_batch(item("uuid:1")), headers=server.auth("kofi")
    )
    assert steal.json()["results"][0]["status"] == "conflict"


@pytest.mark.parametrize(
    "name", ["..%2F..%2Fetc%2Fpasswd", "..", ".hidden", "a%5Cb.jpg", "a%00.jpg"]
)
def test_path_traversal_in_attachment_names(tmp_path: Path, name: str) -> None:
    server = make_server(tmp_path)
    server.client.post(
        "/api/v1/submissions", json=_batch(item("uuid:1")), headers=server.auth("amina")
    )
    answer = server.client.put(
        f"/api/v1/submissions/uuid:1/attachments/{name}", content=b"x", headers=server.auth("amina")
    )
    assert answer.status_code in (400, 404)
    assert server.storage.attachments("uuid:1") == []
    assert [p for p in (tmp_path / "blobs").rglob("*") if p.is_file()] == []


def test_batch_refuses_traversal_names_in_attachment_refs(tmp_path: Path) -> None:
    server = make_server(tmp_path)
    entry = {**item("uuid:1"), "attachments": [{"name": "../../x", "sha256": "0" * 64, "size": 1}]}
    result = server.client.post(
        "/api/v1/submissions", json=_batch(entry), headers=server.auth("amina")
    ).json()
    assert result["results"][0]["status"] == "rejected"
    assert server.storage.count_submissions() == 0


@pytest.mark.parametrize("xml", [BOMB, EXTERNAL])
def test_xml_bombs_and_external_entities_are_refused(tmp_path: Path, xml: str) -> None:
    server = make_server(tmp_path)
    entry = {"instance_id": "uuid:bomb", "form_id": "demo_household", "xml": xml}
    result = server.client.post(
        "/api/v1/submissions", json=_batch(entry), headers=server.auth("amina")
    ).json()
    assert result["results"][0]["status"] == "rejected"
    files = [("xml_submission_file", ("s.xml", xml.encode(), "text/xml"))]
    openrosa = server.client.post(
        f"/v1/key/{server.tokens['amina']}/projects/1/submission", files=files
    )
    assert openrosa.status_code == 400
    assert server.storage.count_submissions() == 0


def test_oversized_and_gzip_bomb_bodies_are_413(tmp_path: Path) -> None:
    server = make_server(tmp_path, body_limit=100_000)
    big = _batch(*[item(f"uuid:{i}") for i in range(400)])
    assert (
        server.client.post(
            "/api/v1/submissions", json=big, headers=server.auth("amina")
        ).status_code
        == 413
    )
    bomb = gzip.compress(json.dumps(big).encode() + b" " * 5_000_000)
    assert len(bomb) < 100_000
    headers = {**server.auth("amina"), "Content-Encoding": "gzip"}
    assert (
        server.client.post("/api/v1/submissions", content=bomb, headers=headers).status_code == 413
    )
    assert server.storage.count_submissions() == 0


def test_rate_limit_per_token(tmp_path: Path) -> None:
    server = make_server(tmp_path, rate=5)
    codes = [
        server.client.get("/api/v1/pull", headers=server.auth("amina")).status_code
        for _ in range(12)
    ]
    assert codes[:5] == [200] * 5 and 429 in codes
    assert server.client.get("/api/v1/pull", headers=server.auth("kofi")).status_code == 200

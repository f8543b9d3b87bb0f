"""`section_too_short` is recorded when the device's `audit.csv` arrives, by the batch API
(after the submission) or OpenRosa (with it): the queue's flag filter finds it at once,
without anyone opening the submission first."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from server_support import Server, instance_xml, make_server

from sync.server.quality.config import save_config

pytestmark = pytest.mark.server_storage

FLAG = "section_too_short"
QUICK = b"event,node,start,end\nform start,,0,\nquestion,/data/consent,0,5000\n"
"""Five seconds on the consent question, which is outside every group: no section."""


def audit(seconds: float) -> bytes:
    """A log with `seconds` spent in the demo form's `interview` group."""
    end = int(seconds * 1000)
    return f"event,node,start,end\nquestion,/data/interview/hh_size,0,{end}\n".encode()


@pytest.fixture
def server(tmp_path: Path) -> Server:
    made = make_server(tmp_path / "server")
    save_config(made.storage, json.dumps({"min_section_seconds": {"interview": 60}}))
    return made


def flagged(server: Server) -> list[str]:
    response = server.client.get(
        "/api/v1/review/queue", params={"flag": FLAG}, headers=server.auth("sue")
    )
    assert response.status_code == 200, response.text
    return sorted(row["instance_id"] for row in response.json())


def push_with_audit(server: Server, instance_id: str, log: bytes) -> None:
    ref = {"name": "audit.csv", "sha256": hashlib.sha256(log).hexdigest(), "size": len(log)}
    body = {"batch_id": instance_id, "device_id": "d1", "items": [
        {"instance_id": instance_id, "form_id": "demo_household",
         "xml": instance_xml(instance_id), "attachments": [ref]}]}  # fmt: skip
    pushed = server.client.post("/api/v1/submissions", json=body, headers=server.auth("amina"))
    assert pushed.json()["results"][0]["missing_attachments"] == ["audit.csv"], pushed.text


def put_audit(server: Server, instance_id: str, log: bytes) -> int:
    path = f"/api/v1/submissions/{instance_id}/attachments/audit.csv"
    return server.client.put(path, content=log, headers=server.auth("amina")).status_code


def test_the_batch_api_flags_a_short_section_when_the_log_arrives(server: Server) -> None:
    push_with_audit(server, "uuid:short", audit(12))
    push_with_audit(server, "uuid:long", audit(300))
    push_with_audit(server, "uuid:none", QUICK)
    assert flagged(server) == []
    assert put_audit(server, "uuid:short", audit(12)) == 201
    assert put_audit(server, "uuid:long", audit(300)) == 201
    assert put_audit(server, "uuid:none", QUICK) == 201
    assert flagged(server) == ["uuid:short"]
    assert put_audit(server, "uuid:short", audit(12)) == 200
    assert flagged(server) == ["uuid:short"]
    [row] = server.client.get(
        "/api/v1/review/queue", params={"flag": FLAG}, headers=server.auth("sue")
    ).json()
    [flag] = [f for f in row["flags"] if f["code"] == FLAG]
    assert "interview" in flag["message"]


def test_openrosa_flags_it_with_the_submission(server: Server) -> None:
    base = f"/v1/key/{server.tokens['amina']}/projects/1/submission"
    for instance_id, log in (("uuid:or-short", audit(3)), ("uuid:or-long", audit(90))):
        parts = [
            ("xml_submission_file", ("s.xml", instance_xml(instance_id).encode(), "text/xml")),
            ("audit.csv", ("audit.csv", log, "text/csv")),
        ]
        posted = server.client.post(base, files=parts, headers={"X-OpenRosa-Version": "1.0"})
        assert posted.status_code == 201, posted.text
    assert flagged(server) == ["uuid:or-short"]

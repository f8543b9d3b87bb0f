"""Edits (meta/deprecatedID): the old submission is marked replaced, only by its owner or supervisor."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlite_utils
from server_support import Server, instance_xml, item, make_server

from sync.server.storage.sqlite import MIGRATIONS, SqliteStorage

pytestmark = pytest.mark.server_storage


def _push(server: Server, user: str, *items: dict[str, object]) -> list[dict[str, object]]:
    body = {"batch_id": "b", "device_id": "tab", "items": list(items)}
    answer = server.client.post("/api/v1/submissions", json=body, headers=server.auth(user))
    assert answer.status_code == 200, answer.text
    results: list[dict[str, object]] = answer.json()["results"]
    return results


def test_edit_marks_the_old_submission_replaced_once(tmp_path: Path) -> None:
    server = make_server(tmp_path)
    assert _push(server, "amina", item("uuid:1"))[0]["status"] == "stored"
    edit = item("uuid:2", household="AB-0002", deprecated="uuid:1")
    assert _push(server, "amina", edit)[0]["status"] == "stored"
    old = server.storage.submission("uuid:1")
    assert old is not None and old.replaced_by == "uuid:2"
    assert _push(server, "amina", edit)[0]["status"] == "duplicate"

    second = _push(server, "amina", item("uuid:3", household="AB-0003", deprecated="uuid:1"))[0]
    assert second["status"] == "rejected"
    assert "already replaced by 'uuid:2'" in str(second["message"])
    assert server.storage.submission("uuid:3") is None
    old = server.storage.submission("uuid:1")
    assert old is not None and old.replaced_by == "uuid:2"


@pytest.mark.parametrize(
    ("editor", "status"),
    [("amina", "stored"), ("sue", "stored"), ("kofi", "rejected"), ("sam", "rejected")],
)
def test_only_the_owner_or_its_supervisor_edits(tmp_path: Path, editor: str, status: str) -> None:
    server = make_server(tmp_path)
    _push(server, "amina", item("uuid:1"))  # amina is in district north, sue supervises north
    result = _push(server, editor, item("uuid:2", deprecated="uuid:1"))[0]
    assert result["status"] == status
    old = server.storage.submission("uuid:1")
    assert old is not None
    if status == "stored":
        assert old.replaced_by == "uuid:2"
    else:
        assert "is not yours" in str(result["message"])
        assert old.replaced_by is None and server.storage.submission("uuid:2") is None


def test_openrosa_edit_by_another_enumerator_is_refused_with_a_message(tmp_path: Path) -> None:
    server = make_server(tmp_path)
    _push(server, "amina", item("uuid:1"))

    def post(user: str, xml: str) -> tuple[int, str]:
        files = {"xml_submission_file": ("submission.xml", xml.encode(), "text/xml")}
        url = f"/v1/key/{server.tokens[user]}/projects/1/submission"
        answer = server.client.post(url, files=files)
        return answer.status_code, answer.text

    code, text = post("kofi", instance_xml("uuid:2", deprecated="uuid:1"))
    assert code == 400 and "uuid:1" in text and "is not yours" in text
    assert server.storage.submission("uuid:2") is None
    assert post("sue", instance_xml("uuid:3"))[0] == 403  # a supervisor submits only edits
    assert post("amina", instance_xml("uuid:2", deprecated="uuid:1"))[0] == 201
    old = server.storage.submission("uuid:1")
    assert old is not None and old.replaced_by == "uuid:2"


@pytest.mark.sqlite_only("a SQLite file of schema version 1 is migrated")
def test_a_version_1_database_is_migrated_and_takes_edits(tmp_path: Path) -> None:
    path = tmp_path / "data" / "server.db"
    path.parent.mkdir()
    old = sqlite_utils.Database(path)
    MIGRATIONS[0](old)
    old.execute("PRAGMA user_version = 1")
    old.close()
    storage = SqliteStorage(path)
    assert storage.db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert "deprecated_id" in {
        c for i in storage.db.table("submissions").indexes for c in i.columns
    }
    server = make_server(tmp_path / "data")
    _push(server, "amina", item("uuid:1"))
    _push(server, "amina", item("uuid:2", deprecated="uuid:1"))
    replaced = server.storage.submission("uuid:1")
    assert replaced is not None and replaced.replaced_by == "uuid:2"

"""`fieldapp-server migrate-data` (issue #18 item 6): a SQLite server filled through its real
paths, copied into PostgreSQL; the PostgreSQL server then answers as the SQLite one did.

The source is made once for the module (the copy only reads it); each test copies it into a
fresh database of its own."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import zipfile
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from report_support import HOUSEHOLDS, LIVING_INCOME_FORM, xml_of
from server_support import DEMO_FORM, instance_xml, item

from sync.server.api.auth import add_user
from sync.server.app import ServerConfig, create_app
from sync.server.cli import main
from sync.server.publish import publish_file
from sync.server.quality.config import QualityConfig, save_config
from sync.server.storage.migrate import migrate_data
from sync.server.storage.migrate_tables import CORE, DERIVED
from sync.server.storage.open import open_storage

VILLAGES = b"name,label\nv1,Village one\nv2,Village two\n"
PHOTO = b"\xff\xd8 a photo of the household's plot"
LATER = "uuid:b-2"
"""Returned after amina's device pulled (its cursor is `Source.cursor`)."""


@dataclass
class Source:
    data: Path
    tokens: dict[str, str]
    cursor: str
    flags: list[dict[str, Any]]


def _with_media(folder: Path) -> Path:
    """The demo form's next version, naming a CSV of villages beside it."""
    xform = DEMO_FORM.read_text(encoding="utf-8").replace(
        '<instance id="yes_no">',
        '<instance id="villages" src="jr://file-csv/villages.csv"/><instance id="yes_no">',
        1,
    )
    (folder / "villages.csv").write_bytes(VILLAGES)
    path = folder / "household.xml"
    path.write_text(xform.replace('version="2026112601"', 'version="2026112602"'), "utf-8")
    return path


def _headers(tokens: dict[str, str], user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens[user]}"}


def _openrosa(client: TestClient, token: str, xml: str, *files: tuple[str, bytes]) -> None:
    parts = [("xml_submission_file", ("submission.xml", xml.encode(), "text/xml"))]
    parts += [(name, (name, data, "image/jpeg")) for name, data in files]
    answer = client.post(f"/v1/key/{token}/projects/1/submission", files=parts)
    assert answer.status_code == 201, answer.text


def _batch(client: TestClient, headers: dict[str, str], items: list[dict[str, Any]]) -> None:
    body = {"batch_id": hashlib.sha256(repr(items).encode()).hexdigest(), "device_id": "tab-1"}
    answer = client.post("/api/v1/submissions", json={**body, "items": items}, headers=headers)
    assert answer.status_code == 200, answer.text
    assert {r["status"] for r in answer.json()["results"]} == {"stored"}, answer.text


def _review(client: TestClient, headers: dict[str, str], instance_id: str, decision: str) -> None:
    body = {
        "decision": decision,
        "comment": "check the plot area" if decision == "rejected" else "",
    }
    if decision == "rejected":
        body["question_comments"] = {"/data/household_id": "this ID is taken"}  # type: ignore[assignment]
    answer = client.post(f"/api/v1/review/{instance_id}", json=body, headers=headers)
    assert answer.status_code == 200, answer.text


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Source:
    data = tmp_path_factory.mktemp("sqlite-server")
    storage, blobs = open_storage(data)
    publish_file(storage, blobs, DEMO_FORM, runs=1)
    publish_file(storage, blobs, _with_media(tmp_path_factory.mktemp("design")), runs=1)
    publish_file(storage, blobs, LIVING_INCOME_FORM, runs=1)
    people = [("amina", "enumerator", "north"), ("kofi", "enumerator", "south"),
              ("olu", "enumerator", "north"), ("sue", "supervisor", "north"),
              ("ann", "admin", None), ("Émile", "enumerator", "north"),
              ("Zoë", "enumerator", "south")]  # fmt: skip
    tokens = {name: add_user(storage, name, role, district) for name, role, district in people}
    assert storage.revoke("olu")
    save_config(storage, QualityConfig().model_dump_json())
    client = TestClient(create_app(ServerConfig(data)))
    amina, sue = _headers(tokens, "amina"), _headers(tokens, "sue")

    photo = instance_xml("uuid:or-1").replace("<consent>", "<photo>plot.jpg</photo><consent>")
    _openrosa(client, tokens["amina"], photo, ("plot.jpg", PHOTO))
    _openrosa(client, tokens["amina"], instance_xml("uuid:or-2", deprecated="uuid:or-1"))
    _batch(client, amina, [item("uuid:b-1", household="AB-0002"), item(LATER)])
    _batch(client, _headers(tokens, "kofi"), [item("uuid:k-1", household="AB-0003")])
    households = [
        {"instance_id": h["id"], "form_id": "living_income_household", "xml": xml_of(h)}
        for h in HOUSEHOLDS
    ]
    _batch(client, amina, households)
    for h in HOUSEHOLDS[:18]:
        _review(client, sue, str(h["id"]), "approved")
    _review(client, sue, "uuid:b-1", "rejected")
    cursor = client.get("/api/v1/pull", headers=amina).json()["cursor"]
    _review(client, sue, LATER, "rejected")

    index = storage.open_review_index()
    found = index.facts_and_flags(LATER)
    assert found is not None and json.loads(found[1]), "the later return should carry flags"
    kept = json.loads(found[1])[1:]  # as a later audit log or a supervisor's action changes them
    index.replace_flags(LATER, json.dumps(kept), len(kept))

    admin = _headers(tokens, "ann")
    assert client.get("/api/v1/exports/demo_household.csv", headers=admin).status_code == 200
    assert client.get("/api/v1/report.json", headers=admin).status_code == 200
    return Source(data, tokens, cursor, kept)


def _answers(client: TestClient, source: Source, cursor: str = "") -> dict[str, Any]:
    """What a supervisor, an analyst and a device see of the server."""
    admin, amina = _headers(source.tokens, "ann"), _headers(source.tokens, "amina")
    queue = client.get("/api/v1/review/queue?limit=100", headers=admin)
    flagged = client.get(f"/api/v1/review/submissions/{LATER}", headers=admin)
    return {
        "queue": queue.json(),
        "total": queue.headers["X-Total-Count"],
        "flags": flagged.json()["flags"],
        "export": _files(client.get("/api/v1/exports/demo_household.csv", headers=admin).content),
        "report": client.get("/api/v1/report.json", headers=admin).json(),
        "pull": client.get(f"/api/v1/pull?cursor={cursor}", headers=amina).json(),
        "media": client.get("/api/v1/pull", headers=amina).json()["forms"],
    }


def _files(zipped: bytes) -> dict[str, bytes]:
    """The CSV files of an export's zip, byte for byte (the zip's own times aside)."""
    with zipfile.ZipFile(io.BytesIO(zipped)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _run(source: Source, url: str, *more: str) -> int:
    return main(["migrate-data", "--from-data", str(source.data), "--database", url, *more])


def _value(url: str, sql: str) -> int:
    with psycopg.connect(url) as connection:
        found = connection.execute(sql).fetchone()
    assert found is not None
    return int(found[0])


def _count(url: str, table: str) -> int:
    return _value(url, f"SELECT count(*) FROM {table}")  # names from the tests


def test_the_postgresql_server_answers_as_the_sqlite_one(
    source: Source, postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _answers(TestClient(create_app(ServerConfig(source.data))), source)
    with_password = postgres_url.replace("postgres@", "postgres:s3cret-word@")
    assert _run(source, with_password) == 0
    printed, said = capsys.readouterr()
    assert "s3cret-word" not in printed + said
    for table in (*CORE, *DERIVED):
        assert f"\n{table.name} " in printed, printed
    assert "report_households" in printed and "DIFFERENT" not in printed
    after = TestClient(create_app(ServerConfig(source.data, database=postgres_url)))
    assert _answers(after, source) == before
    assert [f["code"] for f in before["flags"]] == [f["code"] for f in source.flags]
    revoked = after.get("/api/v1/pull", headers=_headers(source.tokens, "olu"))
    assert revoked.status_code == 401


def test_a_device_cursor_counts_the_same_returns_after_the_move(
    source: Source, postgres_url: str
) -> None:
    assert _run(source, postgres_url) == 0
    app = create_app(ServerConfig(source.data, database=postgres_url))
    client = TestClient(app)
    _review(client, _headers(source.tokens, "sue"), "uuid:or-2", "rejected")
    pulled = client.get(
        f"/api/v1/pull?cursor={source.cursor}", headers=_headers(source.tokens, "amina")
    ).json()
    assert [r["instance_id"] for r in pulled["returned"]] == [LATER, "uuid:or-2"]
    assert int(pulled["cursor"]) > int(source.cursor)
    _batch(client, _headers(source.tokens, "amina"), [item("uuid:after-the-move")])
    position = app.state.storage.report_rows.position("uuid:after-the-move")
    assert position == _count_source(source) + 1, "positions carry on past the copied ones"
    again = client.get(
        f"/api/v1/pull?cursor={pulled['cursor']}", headers=_headers(source.tokens, "amina")
    ).json()
    assert again["returned"] == []
    assert _run(source, postgres_url) == 2, "a database served since the copy is not merged into"


def _database_files(data: Path) -> dict[str, str]:
    """The SQLite database and its write-ahead log, hashed (the shared-memory index aside:
    readers mark their place in it)."""
    files = [data / "server.db", data / "server.db-wal"]
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files if p.exists()}


def test_a_second_run_changes_nothing(source: Source, postgres_url: str, tmp_path: Path) -> None:
    data = tmp_path / "source"
    shutil.copytree(source.data, data)
    untouched = _database_files(data)
    first = migrate_data(data, postgres_url)
    second = migrate_data(data, postgres_url)
    assert _database_files(data) == untouched, "the source is only read"
    assert first.same and second.same
    assert sum(t.written for t in first.tables) > 0
    assert [t.written for t in second.tables] == [0] * len(second.tables)
    assert [t.checked.target.hash for t in second.tables] == [
        t.checked.target.hash for t in first.tables
    ]


def test_a_stopped_run_is_finished_by_the_next(source: Source, postgres_url: str) -> None:
    """The copy is killed (SIGKILL) once it has written its first batch of submissions."""
    child = subprocess.Popen(
        [sys.executable, "-c", STOPPED, str(source.data), postgres_url],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline().startswith("submissions: 5 read")
    os.kill(child.pid, signal.SIGKILL)
    child.wait(10)
    stored = _count(postgres_url, "submissions")
    assert 0 < stored < _count_source(source)
    done = migrate_data(source.data, postgres_url)
    assert done.same
    assert _count(postgres_url, "submissions") == _count_source(source)


STOPPED = """
import sys
import zipfile
from pathlib import Path
from sync.server.storage.migrate import migrate_data

def say(line):
    if line.startswith("submissions:"):
        print(line, flush=True)
        sys.stdin.readline()  # waits here until killed

migrate_data(Path(sys.argv[1]), sys.argv[2], say=say, batch=5)
"""


def _count_source(source: Source) -> int:
    storage, _ = open_storage(source.data)
    return storage.count_submissions()


def test_a_database_holding_another_servers_users_is_refused(
    source: Source, postgres_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other, _ = open_storage(tmp_path, postgres_url)
    add_user(other, "amina", "enumerator", "north")
    assert _run(source, postgres_url) == 2
    said = capsys.readouterr().err
    assert "holds another server's data" in said and "amina" in said
    assert _count(postgres_url, "submissions") == 0


def test_a_copy_of_another_source_is_refused(
    source: Source, postgres_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere, _ = open_storage(tmp_path / "elsewhere")
    add_user(elsewhere, "kwame", "enumerator", "east")
    assert main(["migrate-data", "--from-data", str(tmp_path / "elsewhere"), "--database",
                 postgres_url]) == 0  # fmt: skip
    capsys.readouterr()
    assert _run(source, postgres_url) == 2
    assert "holds a copy of" in capsys.readouterr().err
    assert _count(postgres_url, "submissions") == 0


def test_a_changed_row_in_the_target_is_named(
    source: Source, postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(source, postgres_url) == 0
    with psycopg.connect(postgres_url) as connection:
        connection.execute(
            "UPDATE reviews SET comment = 'changed' WHERE seq = (SELECT max(seq) FROM reviews)"
        )
        connection.execute(
            "UPDATE submissions SET xml = '<other/>' WHERE instance_id = %s", [LATER]
        )
    capsys.readouterr()
    assert _run(source, postgres_url) == 1
    printed = capsys.readouterr().out.splitlines()
    assert f"different: submissions {LATER!r} differs in xml" in printed
    assert (
        f"different: reviews {_value(postgres_url, 'SELECT max(seq) FROM reviews')} differs in comment"
        in printed
    )
    assert [line.split()[0] for line in printed if "DIFFERENT" in line] == [
        "submissions",
        "reviews",
    ]
    with psycopg.connect(postgres_url) as connection:
        kept = connection.execute("SELECT xml FROM submissions WHERE instance_id = %s", [LATER])
        assert kept.fetchone() == ("<other/>",), "a row already there is never overwritten"


def test_the_copy_is_of_one_moment_while_the_sqlite_server_goes_on(
    source: Source, postgres_url: str, tmp_path: Path
) -> None:
    """A submission stored while the copy runs is not half in it: the copy and its check
    read one snapshot; the next run brings the new one."""
    data = tmp_path / "running"
    shutil.copytree(source.data, data)
    running, _ = open_storage(data)
    client = TestClient(create_app(ServerConfig(data)))
    amina = _headers(source.tokens, "amina")

    def say(line: str) -> None:
        if line.startswith("submissions: 5 read"):
            _batch(client, amina, [item("uuid:while-copying", household="AB-0099")])

    first = migrate_data(data, postgres_url, say=say, batch=5)
    assert first.same
    assert running.submission("uuid:while-copying") is not None
    assert _count(postgres_url, "submissions") == _count_source(source)
    second = migrate_data(data, postgres_url)
    assert second.same
    assert _count(postgres_url, "submissions") == _count_source(source) + 1


def test_blobs_are_copied_to_a_new_data_folder(
    source: Source, postgres_url: str, tmp_path: Path
) -> None:
    moved = tmp_path / "moved"
    assert _run(source, postgres_url, "--to-data", str(moved)) == 0
    client = TestClient(create_app(ServerConfig(moved, database=postgres_url)))
    photo = client.get(
        "/api/v1/review/submissions/uuid:or-1/attachments/plot.jpg",
        headers=_headers(source.tokens, "ann"),
    )
    assert photo.status_code == 200 and photo.content == PHOTO
    media = client.get("/api/v1/pull", headers=_headers(source.tokens, "amina")).json()["forms"]
    villages = [m for f in media for m in f["media"] if m["name"] == "villages.csv"]
    download = client.get(villages[0]["download_url"], headers=_headers(source.tokens, "amina"))
    assert download.content == VILLAGES
    again = migrate_data(source.data, postgres_url, to_data=moved)
    assert again.blobs is not None and again.blobs.copied == 0
    assert again.blobs.present == again.blobs.found > 0


def test_a_blob_that_does_not_match_its_name_is_not_copied(
    source: Source, postgres_url: str, tmp_path: Path
) -> None:
    data = tmp_path / "damaged"
    shutil.copytree(source.data, data)
    blob = next(path for path in (data / "blobs").glob("??/*") if path.read_bytes() == PHOTO)
    blob.write_bytes(b"not the photo")
    done = migrate_data(data, postgres_url, to_data=tmp_path / "moved")
    assert done.blobs is not None and not done.same
    assert done.blobs.bad == [f"{blob.parent.name}/{blob.name}"]
    assert not (tmp_path / "moved" / "blobs" / blob.parent.name / blob.name).exists()


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (["--from-data", "{tmp}/nothing", "--database", "{url}"], "no server database"),
        (["--from-data", "{data}", "--database", "postgresql://u:pw-9@127.0.0.1:1/x"], "cannot"),
        (["--from-data", "{data}"], "copies into PostgreSQL; give its URL"),
        (["--from-data", "{data}", "--database", "mysql://db/x"], "not a database"),
    ],
)
def test_bad_options_are_one_line_naming_the_option(
    source: Source,
    postgres_url: str,
    tmp_path: Path,
    options: list[str],
    said: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("FIELDAPP_DATABASE_URL", raising=False)
    given = [o.format(tmp=tmp_path, url=postgres_url, data=source.data) for o in options]
    assert main(["migrate-data", *given]) == 2
    printed, error = capsys.readouterr()
    assert printed == "" and len(error.strip().splitlines()) == 1
    assert error.startswith("error: --") and said in error and "pw-9" not in error
    assert _value(postgres_url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == 0


def test_keys_are_compared_in_the_same_order_whatever_the_database_sorts_by(
    source: Source, english_url: str
) -> None:
    done = migrate_data(source.data, english_url)
    users = next(t.checked for t in done.tables if t.checked.table == "users")
    assert users.same and users.target.rows == 7


def test_report_rows_of_another_layout_are_left_for_the_first_report(
    source: Source, postgres_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "older"
    shutil.copytree(source.data, data)
    with closing(sqlite3.connect(data / "server.db")) as older, older:
        older.execute("UPDATE report_schema SET version = version - 1")
    before = _answers(TestClient(create_app(ServerConfig(source.data))), source)["report"]
    assert main(["migrate-data", "--from-data", str(data), "--database", postgres_url]) == 0
    printed = capsys.readouterr().out
    assert "not copied: report_households: another layout" in printed
    assert "\nreport_households " not in printed
    after = TestClient(create_app(ServerConfig(data, database=postgres_url)))
    assert _answers(after, source)["report"] == before

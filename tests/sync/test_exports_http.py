"""Every export format downloaded over HTTP from the real app, read back, equals the store.

A supervisor of `north` gets north only (whatever they ask), an admin gets what the
filters choose; other roles and other districts are refused and nothing is written.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from export_support import ExportServer as Server
from export_support import as_workbook, expected_tables, households, read_csv_zip, read_workbook

pytestmark = pytest.mark.server_storage

ITEMS = households(10)
STATES = {ITEMS[1].instance_id: "approved", ITEMS[3].instance_id: "rejected"}
NORTH = [h for h in ITEMS if h.district == "north"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, shared_database: str | None) -> Server:
    return Server(tmp_path_factory.mktemp("exports-http"), ITEMS, STATES)


def test_csv_zip_download_is_the_supervisors_district(server: Server) -> None:
    status, body, headers = server.get("/api/v1/exports/survey_small.csv", "sue")
    assert status == 200, body
    assert headers["content-type"] == "application/zip"
    assert 'filename="survey_small.csv.zip"' in headers["content-disposition"]
    assert read_csv_zip(body) == expected_tables(NORTH, STATES)


def test_xlsx_download_with_a_state_filter(server: Server) -> None:
    status, body, _ = server.get("/api/v1/exports/survey_small.xlsx?state=received", "ann")
    assert status == 200, body
    received = [h for h in ITEMS if h.instance_id not in STATES]
    assert read_workbook(body) == as_workbook(expected_tables(received, STATES))


def test_stata_download_with_a_date_filter_reads_back(server: Server, tmp_path: Path) -> None:
    import pyreadstat

    query = "since=2026-02-01&until=2026-02-28&district=north"
    status, body, _ = server.get(f"/api/v1/exports/survey_small.dta?{query}", "sue")
    assert status == 200, body
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        archive.extractall(tmp_path)
    chosen = [h for h in NORTH if h.day[5:7] == "02"]
    assert chosen, "the filter must choose some households"
    frame, meta = pyreadstat.read_dta(str(tmp_path / "survey_small.dta"))
    assert list(frame["KEY"]) == [h.instance_id for h in chosen]
    assert list(frame["income"]) == [h.income for h in chosen]
    assert meta.variable_value_labels["head_sex"] == {1: "Female", 2: "Male"}
    expected = expected_tables(chosen, STATES)["survey_small-member"]
    members, _ = pyreadstat.read_dta(str(tmp_path / "survey_small-member.dta"))
    assert list(members["KEY"]) == [m["KEY"] for m in expected]
    assert [int(a) for a in members["age"]] == [int(m["age"]) for m in expected]


def test_geojson_download_has_the_located_interviews(server: Server) -> None:
    status, body, headers = server.get("/api/v1/exports/survey_small.geojson?version=3", "ann")
    assert status == 200 and headers["content-type"] == "application/geo+json"
    features = json.loads(body)["features"]
    located = [h for h in ITEMS if h.gps]
    assert [f["properties"]["instanceID"] for f in features] == [h.instance_id for h in located]
    lat, lon, alt, _ = (float(x) for x in located[-1].gps.split())
    assert features[-1]["geometry"]["coordinates"] == [lon, lat, alt]


@pytest.mark.parametrize(
    ("path", "user", "status", "says"),
    [
        ("/api/v1/exports/survey_small.csv?district=south", "sue", 403, "own district"),
        ("/api/v1/exports/survey_small.csv", "amina", 403, "cannot read exports"),
        ("/api/v1/exports/survey_small.sav", "ann", 400, "export format must be one of"),
        ("/api/v1/exports/survey_small.csv?since=yesterday", "ann", 400, "not a date like"),
        ("/api/v1/exports/no_such_form.csv", "ann", 404, "no form 'no_such_form'"),
    ],
)
def test_refusals_are_clear_messages(
    server: Server, path: str, user: str, status: int, says: str
) -> None:
    got, body, _ = server.get(path, user)
    assert got == status and says in body.decode("utf-8"), body
    assert "Traceback" not in body.decode("utf-8")


def test_old_review_route_needs_a_comment_to_reject(server: Server) -> None:
    target = NORTH[-1].instance_id
    headers = {"Authorization": f"Bearer {server.tokens['sue']}"}
    bare = server.client.post(
        f"/api/v1/review/{target}", json={"decision": "rejected"}, headers=headers
    )
    assert bare.status_code == 400 and "needs a comment" in bare.text
    _, body, _ = server.get("/api/v1/exports/survey_small.csv", "sue")
    states = {r["KEY"]: r["ReviewState"] for r in read_csv_zip(body)["survey_small"]}
    assert states[target] == STATES.get(target, "received")


def test_supervisor_command_hands_its_options_to_the_screens(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sync.server.supervisor_ui.__main__ as screens
    from sync.server.cli import main

    seen: list[list[str]] = []
    monkeypatch.setattr(screens, "main", lambda argv: seen.append(argv) or 0)
    argv = ["supervisor", "--server", "http://127.0.0.1:8000", "--token=-T", "--no-browser"]
    assert main(argv) == 0
    monkeypatch.setenv("FIELDAPP_TOKEN", "from-env")
    assert main(argv[:3] + ["--no-browser"]) == 0
    assert seen == [
        ["--server", "http://127.0.0.1:8000", "--token=-T", "--port", "8560", "--no-browser"],
        ["--server", "http://127.0.0.1:8000", "--token=from-env", "--port", "8560", "--no-browser"],
    ]

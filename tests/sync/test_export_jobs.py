"""Exports and the report as jobs: progress, the file equal to the store, one-time links,
only the owner (or an admin) sees a job, refusals are messages, old files go."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import Any

import pytest
from export_support import ExportServer, expected_tables, households, read_csv_zip, seed
from fastapi.testclient import TestClient
from report_support import HOUSEHOLDS, xml_of

from sync.server.app import open_storage
from sync.server.exports import jobs as export_jobs
from sync.server.exports.jobs import ExportJobs, Job
from sync.server.exports.source import ExportFilter
from sync.server.intake.ingest import ingest
from sync.server.storage import FormRecord, User
from tests.waiting import wait_until

pytestmark = pytest.mark.server_storage

ITEMS = households(10)
STATES = {ITEMS[1].instance_id: "approved"}
NORTH = [h for h in ITEMS if h.district == "north"]
LIVING_INCOME = Path(__file__).resolve().parents[2] / "assets/forms/living_income_household.xml"


class Server(ExportServer):
    def finished(self, job_id: str, user: str) -> dict[str, Any]:
        def view() -> dict[str, Any] | None:
            answer: dict[str, Any] = self.call("GET", f"/api/v1/export-jobs/{job_id}", user).json()
            return None if answer["state"] == "running" else answer

        return wait_until(view, f"export job {job_id} to finish")


def _ended(jobs: ExportJobs, user: User, job_id: str) -> Job | None:
    job = jobs.get(user, job_id)
    return None if job.state == "running" else job


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, shared_database: str | None) -> Server:
    return Server(tmp_path_factory.mktemp("export-jobs"), ITEMS, STATES)


def test_a_csv_job_reports_progress_and_its_file_is_the_supervisors_district(
    server: Server,
) -> None:
    started = server.call(
        "POST", "/api/v1/export-jobs", "sue", json={"form": "survey_small", "format": "csv"}
    )
    assert started.status_code == 202, started.text
    job = started.json()
    assert job["state"] in ("running", "done") and job["filename"] == "survey_small.csv.zip"
    view = server.finished(job["id"], "sue")
    assert view["state"] == "done" and view["done"] == view["total"] == len(NORTH)
    assert view["size"] > 0
    body = server.call("GET", f"/api/v1/export-jobs/{job['id']}/file", "sue")
    assert body.status_code == 200 and body.headers["content-type"] == "application/zip"
    assert 'filename="survey_small.csv.zip"' in body.headers["content-disposition"]
    assert read_csv_zip(body.content) == expected_tables(NORTH, STATES)
    listed = server.call("GET", "/api/v1/export-jobs", "sue").json()
    assert job["id"] in [j["id"] for j in listed]


def test_the_published_forms_are_listed_for_supervisors_only(server: Server) -> None:
    forms = server.call("GET", "/api/v1/export-forms", "sue").json()
    assert forms == [{"form_id": "survey_small", "title": "Small survey", "version": "3"}]
    refused = server.call("GET", "/api/v1/export-forms", "amina")
    assert refused.status_code == 403 and "cannot read exports" in refused.text


def test_a_link_downloads_once_without_the_token(server: Server) -> None:
    job = server.call("POST", "/api/v1/export-jobs", "sue", json={"form": "survey_small", "format": "geojson", "state": ["approved"]}).json()  # fmt: skip
    assert server.finished(job["id"], "sue")["done"] == 1
    link = server.call("POST", f"/api/v1/export-jobs/{job['id']}/link", "sue").json()["url"]
    first = server.call("GET", link, None)
    assert first.status_code == 200 and first.headers["content-type"] == "application/geo+json"
    assert ITEMS[1].instance_id in first.text
    again = server.call("GET", link, None)
    assert again.status_code == 404 and "unknown, used or expired" in again.text
    forged = server.call("GET", f"/api/v1/export-jobs/{job['id']}/download?ticket=guess", None)
    assert forged.status_code == 404


def test_only_the_owner_or_an_admin_sees_a_job(server: Server) -> None:
    job = server.call("POST", "/api/v1/export-jobs", "sue", json={"form": "survey_small", "format": "xlsx"}).json()  # fmt: skip
    server.finished(job["id"], "sue")
    for path in ("", "/file"):
        other = server.call("GET", f"/api/v1/export-jobs/{job['id']}{path}", "sam")
        assert other.status_code == 404 and "of yours" in other.text
    assert server.call("POST", f"/api/v1/export-jobs/{job['id']}/link", "sam").status_code == 404
    assert job["id"] not in [j["id"] for j in server.call("GET", "/api/v1/export-jobs", "sam").json()]  # fmt: skip
    assert server.call("GET", f"/api/v1/export-jobs/{job['id']}/file", "ann").status_code == 200


@pytest.mark.parametrize(
    ("user", "body", "status", "says"),
    [
        ("sue", {"form": "survey_small", "format": "sav"}, 404, "no export format 'sav'"),
        ("sue", {"form": "nope", "format": "csv"}, 404, "no form 'nope'"),
        ("sue", {"form": "survey_small", "format": "csv", "district": ["south"]}, 403, "own district"),
        ("amina", {"form": "survey_small", "format": "csv"}, 403, "cannot read exports"),
        ("ann", {"form": "survey_small", "format": "csv", "since": "soon"}, 400, "not a date like"),
        ("ann", {"form": "survey_small", "format": "csv", "limit": 3}, 422, "limit"),
    ],
)  # fmt: skip
def test_refusals_are_messages_and_start_nothing(
    server: Server, user: str, body: dict[str, Any], status: int, says: str
) -> None:
    before = server.call("GET", "/api/v1/export-jobs", "ann").json()
    got = server.call("POST", "/api/v1/export-jobs", user, json=body)
    assert got.status_code == status and says in got.text and "Traceback" not in got.text
    assert server.call("GET", "/api/v1/export-jobs", "ann").json() == before


def test_a_failed_job_says_why(server: Server) -> None:
    job = server.call("POST", "/api/v1/export-jobs", "ann", json={"form": "survey_small", "format": "report"}).json()  # fmt: skip
    view = server.finished(job["id"], "ann")
    assert view["state"] == "failed" and "survey_small" in view["message"]
    missing = server.call("GET", f"/api/v1/export-jobs/{job['id']}/file", "ann")
    assert missing.status_code == 404 and "failed, it has no file" in missing.text


def test_the_report_job_is_the_living_income_report(tmp_path: Path) -> None:
    storage, _ = open_storage(tmp_path)
    xform = LIVING_INCOME.read_text(encoding="utf-8")
    md5 = hashlib.md5(xform.encode("utf-8")).hexdigest()
    storage.put_form(FormRecord("living_income_household", "1", "Living income", md5, xform, 0))
    amina = User("amina", "enumerator", "north")
    for h in HOUSEHOLDS[:6]:
        assert ingest(storage, amina, xml_of(h), require_known_form=False).status == "stored"
    jobs = ExportJobs(storage, tmp_path / "exports")
    admin = User("ann", "admin", None)
    received = ExportFilter(states=("received",))  # not reviewed; the report's default: approved
    started = jobs.start(admin, "living_income_household", "report", received)
    job = wait_until(lambda: _ended(jobs, admin, started.id), "the report job to finish")
    assert job.state == "done", job.row.message
    html = job.path.read_text(encoding="utf-8")
    assert html.startswith("<!") and "Living income report" in html and job.row.done == 6


def test_running_jobs_per_user_are_capped_and_old_ones_expire(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = seed(tmp_path / "data", ITEMS[:3])
    leftover = tmp_path / "exports" / "old.csv.zip"
    leftover.parent.mkdir()
    leftover.write_bytes(b"from before a restart")
    jobs = ExportJobs(storage, tmp_path / "exports")
    assert not leftover.exists()
    gate = threading.Event()
    real = export_jobs.export

    def held(*args: Any, **kwargs: Any) -> int:
        gate.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(export_jobs, "export", held)
    sue = User("sue", "supervisor", "north")
    running = [jobs.start(sue, "survey_small", "csv", ExportFilter()) for _ in range(2)]
    with pytest.raises(export_jobs.TooManyRequests, match="still running"):
        jobs.start(sue, "survey_small", "csv", ExportFilter())
    other = jobs.start(User("sam", "supervisor", "north"), "survey_small", "csv", ExportFilter())
    gate.set()
    owners = [(sue, j.id) for j in running] + [(User("sam", "supervisor", "north"), other.id)]
    ended = [wait_until(lambda o=o: _ended(jobs, *o), "the jobs to end") for o in owners]
    assert all(j.state == "done" and j.path.exists() for j in ended)
    assert sorted(j.id for j in jobs.mine(sue)) == sorted(j.id for j in running)
    hour_later = ExportJobs(storage, tmp_path / "exports", keep_seconds=0.0)
    assert hour_later.mine(sue) == [] and jobs.mine(sue) == []
    assert not any(j.path.exists() for j in running)
    assert sorted(p.name for p in (tmp_path / "exports").iterdir()) == []


def test_the_exports_screen_sends_lists_and_dates_and_words_the_progress(server: Server) -> None:
    from sync.server.supervisor_ui.exports_screen import ExportsApi, progress_text

    api = ExportsApi("http://testserver", server.tokens["ann"])
    api.client = TestClient(
        server.client.app,
        base_url="http://testserver/api/v1",
        headers={"Authorization": f"Bearer {server.tokens['ann']}"},
    )
    filters = {"state": " approved , rejected", "district": "north,", "version": "",
               "since": " 2026-02-01 ", "until": ""}  # fmt: skip
    job = api.start("survey_small", "csv", filters)
    view = server.finished(job["id"], "ann")
    chosen = [h for h in NORTH if h.instance_id in STATES and h.day >= "2026-02-01"]
    assert view["done"] == len(chosen)
    body = server.call("GET", f"/api/v1/export-jobs/{job['id']}/file", "ann").content
    assert read_csv_zip(body) == expected_tables(chosen, STATES)
    assert progress_text(view).startswith(f"Done: survey_small.csv.zip, {len(chosen)} submission")
    link = api.link(job["id"])
    assert link.startswith(f"http://testserver/api/v1/export-jobs/{job['id']}/download?ticket=")
    running = {**view, "state": "running", "done": 250, "total": 1000}
    assert progress_text(running) == "Exporting: 250 of 1,000 submissions"
    assert progress_text({**view, "state": "failed", "message": "no form"}) == "Failed: no form"

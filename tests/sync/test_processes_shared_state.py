"""Two real server processes on one PostgreSQL database behave as one server: export jobs,
their one-time links, the per-user job limit, the rate limit and the review queue.

The processes share the database and the data directory (its `exports` folder). A job is
held running, where a test needs one, by a lock the test takes on the submissions table:
the job's first read of it waits, while starting and following jobs read other tables.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from server_support import CLI, DEMO_FORM, item

from sync.server.api.auth import add_user
from sync.server.exports.jobs import LAPSED
from sync.server.publish import publish_file
from sync.server.storage.blobs import BlobStore
from sync.server.storage.postgres import PostgresStorage
from tests.waiting import free_port, wait_serving, wait_until

USERS = {"amina": ("enumerator", "north"), "sue": ("supervisor", "north"),
         "sam": ("supervisor", "south")}  # fmt: skip
LAUNCH = (
    "import sys, uvicorn; from pathlib import Path;"
    " from sync.server.app import ServerConfig, create_app;"
    " uvicorn.run(create_app(ServerConfig(Path(sys.argv[1]), database=sys.argv[2],"
    " rate=float(sys.argv[3]), burst=float(sys.argv[4]))), host='127.0.0.1',"
    " port=int(sys.argv[5]), log_level='warning')"
)
"""What `serve` runs, with a rate limit of the test's choosing (`serve` keeps the default)."""


@dataclass
class Pair:
    """Two server processes on one database and one data directory."""

    a: httpx.Client
    b: httpx.Client
    processes: list[subprocess.Popen[bytes]]
    tokens: dict[str, str]
    url: str
    data: Path

    def call(self, client: httpx.Client, method: str, path: str, user: str | None,
             **kw: Any) -> httpx.Response:  # fmt: skip
        headers = {"Authorization": f"Bearer {self.tokens[user]}"} if user else {}
        return client.request(method, path, headers=headers, **kw)

    def job(self, client: httpx.Client, user: str, job_id: str) -> dict[str, Any]:
        answer = self.call(client, "GET", f"/api/v1/export-jobs/{job_id}", user)
        assert answer.status_code == 200, answer.text
        view: dict[str, Any] = answer.json()
        return view

    def start(self, client: httpx.Client, user: str) -> httpx.Response:
        body = {"form": "demo_household", "format": "csv"}
        return self.call(client, "POST", "/api/v1/export-jobs", user, json=body)


@contextmanager
def _process(command: list[str]) -> Iterator[tuple[httpx.Client, subprocess.Popen[bytes]]]:
    port = int(command[-1])
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_serving(process, port)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            yield client, process
    finally:
        if process.poll() is None:
            process.terminate()
        process.wait(30)


@contextmanager
def two_servers(data: Path, url: str, rate: float | None = None) -> Iterator[Pair]:
    """`fieldapp-server serve --database URL` twice (or, with `rate`, what serve runs with
    that rate limit and a burst of 5), on two ports."""
    storage, tokens = PostgresStorage(url), {}
    publish_file(storage, BlobStore(data / "blobs"), DEMO_FORM, runs=1)
    for name, (role, district) in USERS.items():
        tokens[name] = add_user(storage, name, role, district)
    storage.close()

    def command() -> list[str]:
        port = str(free_port())
        if rate is None:
            return [*CLI, "serve", "--data", str(data), "--database", url, "--port", port]
        return [sys.executable, "-c", LAUNCH, str(data), url, str(rate), "5", port]

    with _process(command()) as (a, first), _process(command()) as (b, second):
        yield Pair(a, b, [first, second], tokens, url, data)


@contextmanager
def submissions_held(url: str) -> Iterator[None]:
    """Every read of the submissions table waits until the block ends."""
    with psycopg.connect(url) as connection, connection.transaction():
        connection.execute("LOCK TABLE submissions IN ACCESS EXCLUSIVE MODE")
        yield


@pytest.fixture
def pair(postgres_url: str, tmp_path: Path) -> Iterator[Pair]:
    with two_servers(tmp_path / "data", postgres_url) as servers:
        batch = {"batch_id": "b1", "device_id": "tab-1",
                 "items": [item(f"uuid:{n}", household=f"AB-{n:04}") for n in range(3)]}  # fmt: skip
        stored = servers.call(servers.a, "POST", "/api/v1/submissions", "amina", json=batch)
        assert [r["status"] for r in stored.json()["results"]] == ["stored"] * 3, stored.text
        yield servers


def _ended(pair: Pair, client: httpx.Client, user: str, job_id: str) -> dict[str, Any] | None:
    view = pair.job(client, user, job_id)
    return None if view["state"] == "running" else view


def test_a_job_started_on_one_process_is_followed_and_downloaded_on_the_other(
    pair: Pair,
) -> None:
    started = pair.start(pair.a, "sue")
    assert started.status_code == 202, started.text
    job = started.json()
    view = wait_until(lambda: _ended(pair, pair.b, "sue", job["id"]), "the job seen done on B")
    assert (view["state"], view["done"], view["total"]) == ("done", 3, 3) and view["size"] > 0
    assert job["id"] in [j["id"] for j in pair.call(pair.b, "GET", "/api/v1/export-jobs", "sue").json()]  # fmt: skip
    link = pair.call(pair.b, "POST", f"/api/v1/export-jobs/{job['id']}/link", "sue").json()["url"]
    first = pair.call(pair.a, "GET", link, None)
    assert first.status_code == 200, first.text
    with zipfile.ZipFile(io.BytesIO(first.content)) as archive:
        rows = archive.read("demo_household.csv").decode("utf-8").splitlines()
    assert len(rows) == 4 and "uuid:2" in rows[-1]
    for client in (pair.b, pair.a):
        again = pair.call(client, "GET", link, None)
        assert again.status_code == 404 and "unknown, used or expired" in again.text


def test_the_running_jobs_of_a_user_are_counted_across_both_processes(pair: Pair) -> None:
    with submissions_held(pair.url):
        assert pair.start(pair.a, "sue").status_code == 202
        assert pair.start(pair.b, "sue").status_code == 202
        third = pair.start(pair.a, "sue")
        assert third.status_code == 429 and "2 of your exports are still running" in third.text
        assert pair.start(pair.b, "sue").status_code == 429
        assert pair.start(pair.b, "sam").status_code == 202
        listed = pair.call(pair.a, "GET", "/api/v1/export-jobs", "sue").json()
        assert [j["state"] for j in listed] == ["running", "running"]
    ids = [j["id"] for j in listed]
    wait_until(lambda: all(_ended(pair, pair.b, "sue", i) for i in ids), "both jobs to end")
    assert pair.start(pair.b, "sue").status_code == 202


def test_a_job_whose_process_was_killed_turns_failed_on_the_other(pair: Pair) -> None:
    with submissions_held(pair.url):
        job = pair.start(pair.a, "sue").json()
        exports = pair.data / "exports"
        wait_until(lambda: list(exports.glob("*.partial")), "the job to begin its file")
        os.kill(pair.processes[0].pid, signal.SIGKILL)
        pair.processes[0].wait(30)
    view = wait_until(lambda: _ended(pair, pair.b, "sue", job["id"]), "the dead job to lapse")
    assert view["state"] == "failed" and view["message"] == LAPSED
    assert list((pair.data / "exports").iterdir()) == []
    again = pair.start(pair.b, "sue")
    assert again.status_code == 202
    done = wait_until(lambda: _ended(pair, pair.b, "sue", again.json()["id"]), "a new job")
    assert done["state"] == "done"


def test_a_decision_taken_on_one_process_shows_at_once_in_the_others_queue(pair: Pair) -> None:
    def queue(client: httpx.Client, **params: str) -> list[str]:
        answer = pair.call(client, "GET", "/api/v1/review/queue", "sue", params=params)
        assert answer.status_code == 200, answer.text
        return sorted(r["instance_id"] for r in answer.json())

    assert queue(pair.b, state="received") == ["uuid:0", "uuid:1", "uuid:2"]
    assert queue(pair.b, state="approved") == []
    decided = pair.call(pair.a, "POST", "/api/v1/review/submissions/uuid:1/decision", "sue",
                        json={"decision": "approved"})  # fmt: skip
    assert decided.status_code == 200, decided.text
    assert queue(pair.b, state="approved") == ["uuid:1"]
    assert queue(pair.b, state="received") == ["uuid:0", "uuid:2"]


def test_the_rate_limit_of_a_token_counts_its_requests_on_both_processes(
    postgres_url: str, tmp_path: Path
) -> None:
    with two_servers(tmp_path / "data", postgres_url, rate=0.001) as pair:
        answers = [
            pair.call((pair.a, pair.b)[n % 2], "GET", "/api/v1/export-jobs", "sue").status_code
            for n in range(6)
        ]
        assert answers == [200] * 5 + [429]
        other = pair.call(pair.b, "GET", "/api/v1/export-jobs", "sam")
        assert other.status_code == 200
        refused = pair.call(pair.a, "GET", "/api/v1/export-jobs", "sue")
        assert refused.status_code == 429 and "too many requests" in refused.text

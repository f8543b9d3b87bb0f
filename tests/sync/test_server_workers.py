"""Issue #18 item 4: `fieldapp-server serve --workers 2` on PostgreSQL is two processes on one
port that behave as one server: the same instanceIDs sent at once to both are each stored
once, and both processes answer. Which process holds a database connection is read from
PostgreSQL's `pg_stat_activity` (the pool names itself `fieldapp-server PID`) and checked
against the children of the `serve` process in /proc."""

from __future__ import annotations

import os
import subprocess
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from itertools import count
from pathlib import Path

import httpx
import psycopg
import pytest
from server_support import CLI, DEMO_FORM, item

from sync.server.api.auth import add_user
from sync.server.publish import publish_file
from sync.server.storage.blobs import BlobStore
from sync.server.storage.open import DATABASE_ENV
from sync.server.storage.postgres import PostgresStorage
from tests.waiting import free_port, wait_serving, wait_until

BATCHES_AT_ONCE = 8
ITEMS_PER_BATCH = 10


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found.update(int(child) for child in (task / "children").read_text().split())
    return found


def _servers(url: str, since: datetime | None = None) -> set[int]:
    """The PIDs of the server processes with a connection to the database at `url` (that
    ran a statement after `since`, if given); the test's own process left out."""
    sql = (
        "SELECT DISTINCT application_name AS name FROM pg_stat_activity"
        " WHERE datname = current_database() AND application_name LIKE 'fieldapp-server %%'"
        " AND (%s::timestamptz IS NULL OR state_change > %s)"
    )
    with psycopg.connect(url) as connection:
        names = [row[0] for row in connection.execute(sql, [since, since]).fetchall()]
    pids = {int(name.rsplit(" ", 1)[1]) for name in names}
    return pids - {os.getpid()}


@pytest.fixture
def server(tmp_path: Path, postgres_url: str) -> Iterator[tuple[subprocess.Popen[bytes], str, str]]:
    """`serve --workers 2` on a fresh database with the demo form; the process, its URL and
    an enumerator's token."""
    data = tmp_path / "data"
    storage = PostgresStorage(postgres_url)
    try:
        publish_file(storage, BlobStore(data / "blobs"), DEMO_FORM, runs=1)
        token = add_user(storage, "amina", "enumerator", "north")
    finally:
        storage.close()
    port = free_port()
    process = subprocess.Popen(
        [*CLI, "serve", "--workers", "2", "--data", str(data), "--port", str(port)],
        env={**os.environ, DATABASE_ENV: postgres_url},
    )
    try:
        wait_serving(process, port)
        yield process, f"http://127.0.0.1:{port}", token
    finally:
        process.terminate()
        process.wait(30)


def test_two_workers_store_each_instance_once_and_both_answer(
    server: tuple[subprocess.Popen[bytes], str, str], postgres_url: str
) -> None:
    process, url, token = server

    def two_connected() -> set[int]:
        found = _servers(postgres_url)
        return found if len(found) == 2 else set()

    workers = wait_until(two_connected, "both workers connected to the database")
    assert workers <= _children(process.pid)
    with psycopg.connect(postgres_url) as connection:
        started = connection.execute("SELECT clock_timestamp()").fetchone()
    assert started is not None
    rounds = count()
    results: list[dict[str, str]] = []

    def send(batch: int, round_: int) -> list[dict[str, str]]:
        # Batches 2k and 2k+1 carry the same instanceIDs, sent at the same time.
        ids = [f"uuid:{round_}-{batch // 2}-{i}" for i in range(ITEMS_PER_BATCH)]
        body = {"batch_id": f"b{round_}-{batch}", "device_id": f"tab-{batch}"}
        answer = httpx.post(
            f"{url}/api/v1/submissions",
            json={**body, "items": [item(i) for i in ids]},
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )
        assert answer.status_code == 200, answer.text
        found: list[dict[str, str]] = answer.json()["results"]
        return found

    def a_round_answered_by_both() -> bool:
        round_ = next(rounds)
        with ThreadPoolExecutor(BATCHES_AT_ONCE) as pool:
            for found in pool.map(send, range(BATCHES_AT_ONCE), [round_] * BATCHES_AT_ONCE):
                results.extend(found)
        return _servers(postgres_url, started[0]) == workers

    wait_until(a_round_answered_by_both, "requests answered by both workers")
    statuses = Counter((r["instance_id"], r["status"]) for r in results)
    sent = {r["instance_id"] for r in results}
    assert {i for (i, status) in statuses if status == "stored"} == sent
    assert all(statuses[(i, "stored")] == 1 and statuses[(i, "duplicate")] == 1 for i in sent)
    storage = PostgresStorage(postgres_url)
    try:
        assert storage.count_submissions() == len(sent)
    finally:
        storage.close()

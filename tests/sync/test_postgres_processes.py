"""Two `fieldapp-server serve` processes on one PostgreSQL database behave as one server:
the same instanceIDs sent to both at once are each stored once and acknowledged by both, and
a process killed in the middle of a batch loses nothing the other then acknowledges."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from functools import partial
from pathlib import Path

import httpx
import psycopg
import pytest
from hardening_support import photo_xml
from server_support import Server, item, make_server, server_process

from sync.server.storage import Storage
from tests.waiting import wait_until

pytestmark = pytest.mark.postgres_only("several server processes share one database")

PHOTO = b"\xff\xd8" + bytes(range(256)) * 40
COLLECT = {"X-OpenRosa-Version": "1.0"}


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[tuple[Server, list[str], list[int]]]:
    """The demo form and its users in the database, and two `serve` processes on it sharing
    one data folder (its blobs): their URLs and process ids."""
    seeded = make_server(tmp_path)
    with ExitStack() as running:
        started = [running.enter_context(server_process(tmp_path)) for _ in range(2)]
        yield seeded, [url for url, _ in started], [process.pid for _, process in started]


def _together(*calls: Callable[[], object]) -> list[object]:
    """Run `calls` in threads released at the same moment; their results, in order."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(n: int) -> None:
        barrier.wait()
        results[n] = calls[n]()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _batch(url: str, server: Server, ids: list[str]) -> list[dict[str, str]]:
    body = {"batch_id": "b-" + ids[0], "device_id": "tab-1", "items": [item(i) for i in ids]}
    answer = httpx.post(
        f"{url}/api/v1/submissions", json=body, headers=server.auth("amina"), timeout=300
    )
    assert answer.status_code == 200, answer.text
    results: list[dict[str, str]] = answer.json()["results"]
    return results


def _openrosa(url: str, server: Server, instance_id: str) -> int:
    parts = {
        "xml_submission_file": ("submission.xml", photo_xml(instance_id).encode(), "text/xml"),
        "photo.jpg": ("photo.jpg", PHOTO, "image/jpeg"),
    }
    base = f"{url}/v1/key/{server.tokens['amina']}/projects/1"
    return httpx.post(f"{base}/submission", files=parts, headers=COLLECT, timeout=60).status_code


def _held_once(storage: Storage, ids: list[str]) -> None:
    missing = [i for i in ids if storage.submission(i) is None]
    assert not missing, f"lost: {missing}"
    assert storage.count_submissions() == len(ids)


def test_the_same_batch_sent_to_both_processes_at_once_is_stored_once(
    servers: tuple[Server, list[str], list[int]],
) -> None:
    server, (first, second), _ = servers
    ids = [f"uuid:both-{n:03d}" for n in range(60)]
    answers = _together(lambda: _batch(first, server, ids), lambda: _batch(second, server, ids))
    for instance_id, *seen in zip(ids, *answers, strict=True):
        statuses = sorted(result["status"] for result in seen)  # type: ignore[index]
        assert statuses == ["duplicate", "stored"], (instance_id, seen)
    _held_once(server.storage, ids)


def test_the_same_openrosa_submission_sent_to_both_at_once_is_stored_once(
    servers: tuple[Server, list[str], list[int]],
) -> None:
    server, (first, second), _ = servers
    ids = [f"uuid:collect-{n:02d}" for n in range(15)]
    for instance_id in ids:
        answers = _together(
            partial(_openrosa, first, server, instance_id),
            partial(_openrosa, second, server, instance_id),
        )
        assert answers == [201, 201], instance_id
        files = server.storage.attachments(instance_id)
        assert [(a.name, a.size, a.received) for a in files] == [("photo.jpg", len(PHOTO), True)]
    _held_once(server.storage, ids)


def _settled(url: str) -> bool:
    """No session on the database but this one is inside a statement or a transaction: what
    a killed process had begun is rolled back or committed by now."""
    with psycopg.connect(url, autocommit=True) as connection:
        busy = connection.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND state IN ('active', 'idle in transaction')"
        ).fetchone()
    return busy is not None and busy[0] == 0


def test_a_process_killed_mid_batch_loses_nothing_the_other_then_acknowledges(
    servers: tuple[Server, list[str], list[int]], postgres_url: str
) -> None:
    server, (first, second), (first_pid, _) = servers
    ids = [f"uuid:killed-{n:04d}" for n in range(1000)]
    failure: list[BaseException] = []

    def send_to_first() -> None:
        try:
            _batch(first, server, ids)
        except httpx.TransportError as error:
            failure.append(error)

    sending = threading.Thread(target=send_to_first)
    sending.start()
    wait_until(lambda: server.storage.submission(ids[0]), "the batch's first instance stored")
    os.kill(first_pid, signal.SIGKILL)
    sending.join()
    assert failure, "the killed process should never have answered"
    wait_until(lambda: _settled(postgres_url), "the killed process's transactions ended")
    before = {i for i in ids if server.storage.submission(i) is not None}
    assert 0 < len(before) < len(ids), "the process should have been killed mid-batch"

    results = _batch(second, server, ids)
    assert {r["instance_id"] for r in results if r["status"] == "duplicate"} == before
    assert {r["instance_id"] for r in results if r["status"] == "stored"} == set(ids) - before
    _held_once(server.storage, ids)

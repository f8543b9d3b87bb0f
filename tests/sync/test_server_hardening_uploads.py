"""Issue #17, finding 1: a stranger's body is never read; bodies stream with the limit
enforced as they come; large uploads take one of a few slots (per user, in all) or get 503
with Retry-After. Against a real `fieldapp-server serve` over loopback."""

from __future__ import annotations

import gzip
import json
import socket
from collections.abc import Iterator

import httpx
import pytest
from hardening_support import Live, live_server, raw_request, read_head

from tests.waiting import wait_until

pytestmark = pytest.mark.server_storage

NINETEEN_MB = 19 * 1024 * 1024
EMPTY_BATCH = b'{"batch_id": "b", "device_id": "d", "items": []}'
HELD = 2 * 1024 * 1024
"""A body large enough to need an upload slot (over 1 MiB)."""


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, shared_database: str | None) -> Iterator[Live]:
    with live_server(tmp_path_factory.mktemp("uploads")) as server:
        yield server


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/api/v1/submissions", {}),
        ("/api/v1/submissions", {"Authorization": "Bearer not-a-token"}),
        ("/v1/key/not-a-token/projects/1/submission", {}),
    ],
)
def test_no_valid_token_is_401_before_any_of_the_body_is_sent(
    live: Live, path: str, headers: dict[str, str]
) -> None:
    connection = raw_request(
        live.url, "POST", path, {**headers, "Content-Length": str(NINETEEN_MB)}
    )
    with connection:
        head = read_head(connection)  # not one byte of the 19 MB was sent
    assert head.startswith("HTTP/1.1 401"), head
    assert live.storage.count_submissions() == 0


def test_a_declared_body_over_the_limit_is_413_before_it_is_read(live: Live) -> None:
    headers = {**live.auth("amina"), "Content-Length": str(21 * 1024 * 1024)}
    with raw_request(live.url, "POST", "/api/v1/submissions", headers) as connection:
        head = read_head(connection)
    assert head.startswith("HTTP/1.1 413"), head


def test_a_streamed_body_is_refused_the_moment_it_passes_the_limit(live: Live) -> None:
    sent = 0

    def chunks() -> Iterator[bytes]:  # no Content-Length: chunked, 1 MB at a time
        nonlocal sent
        for _ in range(40):
            sent += 1
            yield b" " * (1024 * 1024)

    answer = httpx.post(
        f"{live.url}/api/v1/submissions", content=chunks(), headers=live.auth("amina"), timeout=60
    )
    assert answer.status_code == 413
    assert "size limit of 20971520 bytes" in answer.json()["detail"]
    assert live.storage.count_submissions() == 0


def _hold(live: Live, user: str) -> socket.socket:
    """A large upload the server has started reading (it asked for the body: 100 Continue)."""
    headers = {**live.auth(user), "Content-Length": str(HELD), "Expect": "100-continue"}
    connection = raw_request(live.url, "POST", "/api/v1/submissions", headers)
    head = read_head(connection)
    assert head.startswith("HTTP/1.1 100"), head
    return connection


def _finish(connection: socket.socket) -> str:
    with connection:
        connection.sendall(EMPTY_BATCH + b" " * (HELD - len(EMPTY_BATCH)))
        return read_head(connection)


def _refused(live: Live, user: str) -> httpx.Response:
    body = EMPTY_BATCH + b" " * HELD
    return httpx.post(
        f"{live.url}/api/v1/submissions", content=body, headers=live.auth(user), timeout=60
    )


def test_uploads_are_capped_per_user_and_in_all_with_retry_after(live: Live) -> None:
    held = [_hold(live, "amina"), _hold(live, "amina")]
    third = _refused(live, "amina")
    assert third.status_code == 503
    assert third.headers["Retry-After"] == "5"
    assert "2 per user" in third.json()["detail"]
    held += [_hold(live, user) for user in ("kofi", "kofi", "sue", "sue", "sam", "sam")]
    ninth = _refused(live, "hub")
    assert ninth.status_code == 503 and "8 in all" in ninth.json()["detail"]
    small = httpx.post(
        f"{live.url}/api/v1/submissions", content=EMPTY_BATCH, headers=live.auth("hub")
    )
    assert small.status_code == 200, "a small body needs no upload slot"
    heads = [_finish(connection) for connection in held]
    assert [h.split(" ")[1] for h in heads] == ["200"] * 8
    again = _refused(live, "amina")
    assert again.status_code == 200, again.text
    assert json.loads(again.content)["results"] == []


def _hold_declared(live: Live, user: str, size: int) -> socket.socket:
    headers = {**live.auth(user), "Content-Length": str(size), "Expect": "100-continue"}
    connection = raw_request(live.url, "POST", "/api/v1/submissions", headers)
    assert read_head(connection).startswith("HTTP/1.1 100")
    return connection


def test_json_bodies_share_a_memory_budget_and_gzip_counts_what_it_inflates_to(
    live: Live,
) -> None:
    held = [_hold_declared(live, user, 19 * 1024 * 1024) for user in ("amina", "kofi")]
    over = _refused(live, "sue")  # 2 MB more than the 40 MB budget holds
    assert over.status_code == 503 and "40 MB held in memory" in over.json()["detail"]
    inflating = gzip.compress(EMPTY_BATCH + b" " * HELD)  # 2 kB that inflate to 2 MB
    headers = {**live.auth("sam"), "Content-Encoding": "gzip"}
    bomb = httpx.post(f"{live.url}/api/v1/submissions", content=inflating, headers=headers)
    assert bomb.status_code == 503 and bomb.headers["Retry-After"] == "5"
    small = gzip.compress(EMPTY_BATCH + b" " * 1000)
    assert httpx.post(f"{live.url}/api/v1/submissions", content=small, headers=headers).is_success
    for connection in held:
        connection.close()
    wait_until(  # the server learns of the closed connections in its own time
        lambda: (
            httpx.post(
                f"{live.url}/api/v1/submissions", content=inflating, headers=headers
            ).is_success
        ),
        "the memory budget given back once the held bodies' connections closed",
    )

"""Ingestion runs off the event loop: while one submission waits on the storage, the same
server process answers other requests (batch API and OpenRosa alike)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from server_support import Server, instance_xml, item, make_server

from sync.server.api import batch, openrosa
from tests.waiting import wait_until

pytestmark = pytest.mark.server_storage


def _by_batch(server: Server, client: TestClient) -> httpx.Response:
    body = {"batch_id": "b1", "device_id": "tab-1", "items": [item("uuid:held")]}
    return client.post("/api/v1/submissions", json=body, headers=server.auth("amina"))


def _by_openrosa(server: Server, client: TestClient) -> httpx.Response:
    xml = instance_xml("uuid:held").encode()
    return client.post(
        f"/v1/key/{server.tokens['amina']}/projects/1/submission",
        files=[("xml_submission_file", ("submission.xml", xml, "text/xml"))],
        headers={"X-OpenRosa-Version": "1.0"},
    )


Send = Callable[[Server, TestClient], httpx.Response]


@pytest.mark.parametrize(
    ("route", "step", "send"),
    [(batch, "prepare", _by_batch), (openrosa, "ingest", _by_openrosa)],
)
def test_other_requests_are_answered_while_a_submission_is_ingested(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, route: Any, step: str, send: Send
) -> None:
    """`step`: where the route's ingestion is held (the batch API checks each item, then
    stores them together)."""
    server = make_server(tmp_path)
    started, release = threading.Event(), threading.Event()
    real = getattr(route, step)

    def held(*args: Any, **kwargs: Any) -> Any:
        started.set()
        release.wait(120)  # a hang guard: the test sets it
        return real(*args, **kwargs)

    monkeypatch.setattr(route, step, held)
    answers: dict[str, httpx.Response] = {}
    with server.client as client:  # one event loop serves every request of the block
        sender = threading.Thread(target=lambda: answers.update(sent=send(server, client)))
        sender.start()
        try:
            wait_until(started.is_set, "the submission's ingestion to start")
            puller = threading.Thread(
                target=lambda: answers.update(
                    pulled=client.get("/api/v1/pull", headers=server.auth("kofi"))
                )
            )
            puller.start()
            wait_until(lambda: "pulled" in answers, "a pull answered during the ingestion")
            assert "sent" not in answers  # the submission was still held meanwhile
        finally:
            release.set()
            sender.join()
        puller.join()
        stored = server.storage.submission("uuid:held")  # before the app closes its storage
    assert answers["pulled"].status_code == 200
    assert answers["sent"].status_code in (200, 201), answers["sent"].text
    assert stored is not None and stored.enumerator == "amina"

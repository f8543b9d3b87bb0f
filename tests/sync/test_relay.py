"""District hub: devices sync to the hub; it forwards upstream exactly once and brings returns down."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from server_support import item, make_server

from sync.client import SyncClient
from sync.server.app import ServerConfig, create_app
from sync.server.auth import add_user
from sync.server.relay import CURSOR_KEY, Forwarder


def _batch(*items: dict[str, object]) -> dict[str, object]:
    return {"batch_id": "b", "device_id": "tab", "items": list(items)}


def test_hub_forwards_once_across_restarts_and_returns_come_down(tmp_path: Path) -> None:
    central = make_server(tmp_path / "central")
    hub_dir = tmp_path / "hub"

    def start_hub() -> tuple[TestClient, Forwarder]:
        app = create_app(ServerConfig(hub_dir, require_known_form=False))
        upstream = SyncClient(
            "http://testserver", central.tokens["hub"], transport=central.client._transport
        )
        return TestClient(app), Forwarder(app.state.storage, app.state.blobs, upstream)

    hub, forwarder = start_hub()
    device_token = add_user(hub.app.state.storage, "ama", "enumerator", "north")  # type: ignore[attr-defined]
    auth = {"Authorization": f"Bearer {device_token}"}
    forwarder.pull_down()  # forms come down from upstream first
    assert [f["form_id"] for f in hub.get("/api/v1/pull", headers=auth).json()["forms"]] == [
        "demo_household"
    ]
    sent = hub.post(
        "/api/v1/submissions", json=_batch(item("uuid:1"), item("uuid:2")), headers=auth
    )
    assert [r["status"] for r in sent.json()["results"]] == ["stored", "stored"]
    assert forwarder.push_pending() == 2
    assert forwarder.push_pending() == 0

    hub.app.state.storage.outbox_mark("uuid:2", "pending", None)  # type: ignore[attr-defined]
    hub, forwarder = start_hub()  # hub restarted, state kept; a lost ack makes uuid:2 pending again
    assert forwarder.push_pending() == 1
    assert central.storage.count_submissions() == 2

    review = {"decision": "rejected", "comment": "recount members", "question_comments": {}}
    assert (
        central.client.post(
            "/api/v1/review/uuid:1", json=review, headers=central.auth("sue")
        ).status_code
        == 200
    )
    assert forwarder.pull_down() == 1
    returned = hub.get("/api/v1/pull", headers=auth).json()["returned"]
    assert [r["instance_id"] for r in returned] == ["uuid:1"]
    assert returned[0]["comments"][0]["text"] == "recount members"


def test_a_return_pulled_again_after_a_lost_cursor_is_recorded_once(tmp_path: Path) -> None:
    central = make_server(tmp_path / "central")
    app = create_app(ServerConfig(tmp_path / "hub", require_known_form=False))
    hub = TestClient(app)
    upstream = SyncClient(
        "http://testserver", central.tokens["hub"], transport=central.client._transport
    )
    forwarder = Forwarder(app.state.storage, app.state.blobs, upstream)
    auth = {"Authorization": f"Bearer {add_user(app.state.storage, 'ama', 'enumerator', 'north')}"}
    forwarder.pull_down()
    hub.post("/api/v1/submissions", json=_batch(item("uuid:1")), headers=auth)
    assert forwarder.push_pending() == 1
    cursor = app.state.storage.get_setting(CURSOR_KEY)
    review = {"decision": "rejected", "comment": "recount members", "question_comments": {}}
    central.client.post("/api/v1/review/uuid:1", json=review, headers=central.auth("sue"))
    assert forwarder.pull_down() == 1
    app.state.storage.set_setting(CURSOR_KEY, cursor)  # stopped before the cursor was saved
    forwarder.pull_down()
    assert len(app.state.storage.reviews("uuid:1")) == 1
    returned = hub.get("/api/v1/pull", headers=auth).json()["returned"]
    assert [r["instance_id"] for r in returned] == ["uuid:1"]

    central.client.post("/api/v1/review/uuid:1", json=review, headers=central.auth("sue"))
    forwarder.pull_down()  # a second return of the same instance is a new record
    assert len(app.state.storage.reviews("uuid:1")) == 2

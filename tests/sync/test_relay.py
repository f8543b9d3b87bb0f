"""District hub: devices sync to the hub; it forwards upstream once and brings returns down."""

from __future__ import annotations

from pathlib import Path

import pytest
from hub_support import start_hub
from server_support import item, make_server

from sync.server.hub.relay import CURSOR_KEY

pytestmark = pytest.mark.server_storage


def _batch(*items: dict[str, object]) -> dict[str, object]:
    return {"batch_id": "b", "device_id": "tab", "items": list(items)}


def test_hub_forwards_once_across_restarts_and_returns_come_down(
    tmp_path: Path, other_database: str | None
) -> None:
    central = make_server(tmp_path / "central")
    hub = start_hub(tmp_path / "hub", central, database=other_database)
    hub.forwarder.users.refresh()  # the device's token is the one made upstream
    auth = central.auth("amina")
    hub.forwarder.pull_down()  # forms come down from upstream first
    assert [f["form_id"] for f in hub.client.get("/api/v1/pull", headers=auth).json()["forms"]] == [
        "demo_household"
    ]
    sent = hub.client.post(
        "/api/v1/submissions", json=_batch(item("uuid:1"), item("uuid:2")), headers=auth
    )
    assert [r["status"] for r in sent.json()["results"]] == ["stored", "stored"]
    assert hub.forwarder.push_pending() == 2
    assert hub.forwarder.push_pending() == 0

    hub.storage.outbox_mark("uuid:2", "pending", None)  # a lost ack makes uuid:2 pending again
    # hub restarted, state (and users) kept
    hub = start_hub(tmp_path / "hub", central, database=other_database)
    assert hub.forwarder.push_pending() == 1
    assert central.storage.count_submissions() == 2

    review = {"decision": "rejected", "comment": "recount members", "question_comments": {}}
    assert (
        central.client.post(
            "/api/v1/review/uuid:1", json=review, headers=central.auth("sue")
        ).status_code
        == 200
    )
    assert hub.forwarder.pull_down() == 1
    returned = hub.client.get("/api/v1/pull", headers=auth).json()["returned"]
    assert [r["instance_id"] for r in returned] == ["uuid:1"]
    assert returned[0]["comments"][0]["text"] == "recount members"
    assert "enumerator" not in returned[0] and "seq" not in returned[0]  # a device's pull


def test_a_hub_lists_its_forms_to_a_cursor_behind_its_own_position(
    tmp_path: Path, other_database: str | None
) -> None:
    """The hub's forms carry its own numbers: a device whose cursor is behind what the hub
    pulled gets them all (it fetches those whose hash it lacks), one at or past it none."""
    central = make_server(tmp_path / "central")
    hub = start_hub(tmp_path / "hub", central, database=other_database)
    hub.forwarder.users.refresh()
    hub.forwarder.pull_down()
    reached = int(hub.storage.get_setting(CURSOR_KEY) or 0)

    def forms(cursor: int) -> list[str]:
        answer = hub.client.get(
            "/api/v1/pull", params={"cursor": str(cursor)}, headers=central.auth("amina")
        ).json()
        assert int(answer["cursor"]) == max(cursor, reached)  # never behind the device's
        return [f["form_id"] for f in answer["forms"]]

    assert forms(0) == forms(reached - 1) == ["demo_household"]
    assert forms(reached) == forms(10**17) == []


def test_a_return_pulled_again_after_a_lost_cursor_is_recorded_once(
    tmp_path: Path, other_database: str | None
) -> None:
    central = make_server(tmp_path / "central")
    hub = start_hub(tmp_path / "hub", central, database=other_database)
    hub.forwarder.users.refresh()
    auth = central.auth("amina")
    hub.forwarder.pull_down()
    hub.client.post("/api/v1/submissions", json=_batch(item("uuid:1")), headers=auth)
    assert hub.forwarder.push_pending() == 1
    cursor = hub.storage.get_setting(CURSOR_KEY)
    review = {"decision": "rejected", "comment": "recount members", "question_comments": {}}
    central.client.post("/api/v1/review/uuid:1", json=review, headers=central.auth("sue"))
    assert hub.forwarder.pull_down() == 1
    assert cursor is not None
    hub.storage.set_setting(CURSOR_KEY, cursor)  # stopped before the cursor was saved
    hub.forwarder.pull_down()
    assert len(hub.storage.reviews("uuid:1")) == 1
    returned = hub.client.get("/api/v1/pull", headers=auth).json()["returned"]
    assert [r["instance_id"] for r in returned] == ["uuid:1"]

    central.client.post("/api/v1/review/uuid:1", json=review, headers=central.auth("sue"))
    hub.forwarder.pull_down()  # a second return of the same instance is a new record
    assert len(hub.storage.reviews("uuid:1")) == 2

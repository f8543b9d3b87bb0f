"""What a district hub forwards is the enumerator's (#15 item 5), and returns reach a device
whichever way it syncs, exactly once (#15 item 6).

As ODK Central keeps a submission's `submitterId` and `deviceId` from the client that made it,
the central server files a forwarded interview under the enumerator and device that made it,
with the hub as its route (`via`), and trusts a hub for its own district's enumerators only.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import sqlite_utils
from fastapi.testclient import TestClient
from hub_support import direct, start_hub
from server_support import instance_xml, make_server

from sync.client import SyncClient
from sync.protocol import SubmissionItem
from sync.server.storage.sqlite import MIGRATIONS, SqliteStorage

pytestmark = pytest.mark.server_storage


def _item(instance_id: str, **kw: str | None) -> SubmissionItem:
    return SubmissionItem(
        instance_id=instance_id, form_id="demo_household", xml=instance_xml(instance_id, **kw)
    )


def _with_photo(instance_id: str, photo: bytes) -> SubmissionItem:
    xml = instance_xml(instance_id).replace("</consent>", "</consent><photo>door.jpg</photo>")
    ref = {"name": "door.jpg", "sha256": hashlib.sha256(photo).hexdigest(), "size": len(photo)}
    return SubmissionItem.model_validate(
        {"instance_id": instance_id, "form_id": "demo_household", "xml": xml, "attachments": [ref]}
    )


def test_a_forwarded_interview_is_the_enumerators_and_came_via_the_hub(
    tmp_path: Path, other_database: str | None
) -> None:
    central = make_server(tmp_path / "central")
    hub = start_hub(tmp_path / "hub", central, database=other_database)
    hub.forwarder.users.refresh()
    photo = b"\xff\xd8 a door \xff\xd9"
    with hub.device(central.tokens["amina"], device_id="tablet-7") as tablet:
        results = tablet.push([_item("uuid:f1"), _with_photo("uuid:f2", photo)], lambda i, n: photo)
    assert [(r.status, r.missing_attachments) for r in results] == [("stored", [])] * 2
    assert hub.forwarder.push_pending() == 2

    for instance_id in ("uuid:f1", "uuid:f2"):
        upstream = central.storage.submission(instance_id)
        assert upstream is not None
        assert (upstream.enumerator, upstream.district) == ("amina", "north")
        assert (upstream.device_id, upstream.via) == ("tablet-7", "hub")
    [attachment] = central.storage.attachments("uuid:f2")
    assert attachment.received and attachment.sha256 == hashlib.sha256(photo).hexdigest()

    detail = central.client.get("/api/v1/review/submissions/uuid:f1", headers=central.auth("sue"))
    assert (detail.json()["enumerator"], detail.json()["via"]) == ("amina", "hub")
    rows = central.client.get("/api/v1/review/dashboard", headers=central.auth("sue")).json()
    assert {row["enumerator"]: row["interviews"] for row in rows} == {"amina": 2}

    with direct(central, "amina") as straight:  # a direct sync is filed with no route
        straight.push([_item("uuid:f3")], lambda i, n: b"")
    assert central.storage.submission("uuid:f3").via is None  # type: ignore[union-attr]


def test_photos_left_behind_at_hq_come_through_the_hub(
    tmp_path: Path, other_database: str | None
) -> None:
    """The tablet's XML reached HQ but the connection fell before its photo; at the office
    the hub sends the photo for it (the upstream holds the XML: "duplicate", photo missing)."""
    central = make_server(tmp_path / "central")
    hub = start_hub(tmp_path / "hub", central, database=other_database)
    hub.forwarder.users.refresh()
    photo = b"\xff\xd8 a roof \xff\xd9"
    batch = {"batch_id": "b", "device_id": "tablet-7", "items": [
        _with_photo("uuid:p1", photo).model_dump(mode="json")]}  # fmt: skip
    first = central.client.post("/api/v1/submissions", json=batch, headers=central.auth("amina"))
    assert first.json()["results"][0]["missing_attachments"] == ["door.jpg"]
    with hub.device(central.tokens["amina"]) as tablet:
        tablet.push([_with_photo("uuid:p1", photo)], lambda i, n: photo)
    assert hub.forwarder.push_pending() == 1
    [attachment] = central.storage.attachments("uuid:p1")
    assert attachment.received
    batch["items"] = [_with_photo("uuid:p2", photo).model_dump(mode="json")]
    south = central.client.post("/api/v1/submissions", json=batch, headers=central.auth("kofi"))
    assert south.json()["results"][0]["missing_attachments"] == ["door.jpg"]
    put = central.client.put(  # a hub sends no files of another district's
        "/api/v1/submissions/uuid:p2/attachments/door.jpg",
        content=photo,
        headers=central.auth("hub"),
    )
    assert put.status_code == 404 and "of yours" in put.json()["detail"]


def test_a_hub_vouches_only_for_its_own_districts_enumerators(tmp_path: Path) -> None:
    central = make_server(tmp_path / "central")
    items = [
        _item("uuid:v1").model_copy(update={"enumerator": "amina", "device_id": "t1"}),
        _item("uuid:v2").model_copy(update={"enumerator": "kofi", "device_id": "t2"}),
        _item("uuid:v3").model_copy(update={"enumerator": "nobody", "device_id": "t3"}),
        _item("uuid:v4").model_copy(update={"enumerator": "sue", "device_id": "t4"}),
    ]
    with direct(central, "hub", device_id="relay") as hub:
        results = hub.push(items, lambda i, n: b"")
    assert [r.status for r in results] == ["stored", "rejected", "rejected", "rejected"]
    assert "not of district 'north'" in (results[1].message or "")
    assert "no enumerator 'nobody'" in (results[2].message or "")
    assert "no enumerator 'sue'" in (results[3].message or "")
    assert central.storage.submission("uuid:v2") is None

    with direct(central, "amina") as tablet:  # a device speaks for itself only
        [refused] = tablet.push(
            [_item("uuid:v5").model_copy(update={"enumerator": "kofi"})], lambda i, n: b""
        )
    assert refused.status == "rejected" and "only a district hub" in (refused.message or "")
    assert central.storage.submission("uuid:v5") is None


def _reject(central_client: TestClient, instance_id: str, auth: dict[str, str]) -> None:
    review = {"decision": "rejected", "comment": "recount members", "question_comments": {}}
    answer = central_client.post(f"/api/v1/review/{instance_id}", json=review, headers=auth)
    assert answer.status_code == 200, answer.text


class Tablet:
    """A device with one pull cursor, syncing now to HQ, now to the hub (as `fieldapp`'s sync
    agent keeps one `sync_cursor`); counts each return it is given."""

    def __init__(self) -> None:
        self.cursor: str | None = None
        self.returned: list[str] = []

    def pull(self, client: SyncClient) -> None:
        with client:
            answer = client.pull(self.cursor)
        self.returned += [r.instance_id for r in answer.returned]
        self.cursor = answer.cursor


def test_a_return_reaches_a_device_once_whichever_way_it_syncs(
    tmp_path: Path, other_database: str | None
) -> None:
    central = make_server(tmp_path / "central")
    hub = start_hub(tmp_path / "hub", central, database=other_database)
    hub.forwarder.users.refresh()
    tablet = Tablet()
    token = central.tokens["amina"]
    with direct(central, "kofi") as south:  # HQ numbers events the hub never sees
        south.push([_item("uuid:k1")], lambda i, n: b"")
    for _ in range(5):
        _reject(central.client, "uuid:k1", central.auth("sam"))
    with direct(central, "amina") as straight:  # at HQ once
        straight.push([_item("uuid:r1"), _item("uuid:r2")], lambda i, n: b"")
    tablet.pull(direct(central, "amina"))
    _reject(central.client, "uuid:r1", central.auth("sue"))
    _reject(central.client, "uuid:r2", central.auth("sue"))

    tablet.pull(direct(central, "amina"))  # r1 and r2 come back at HQ...
    assert tablet.returned == ["uuid:r1", "uuid:r2"]
    assert hub.forwarder.pull_down() == 2  # ...and reach the hub, which never held them
    tablet.pull(hub.device(token))  # but not a second time at the office
    assert tablet.returned == ["uuid:r1", "uuid:r2"]

    with direct(central, "amina") as straight:
        straight.push([_item("uuid:r3")], lambda i, n: b"")
    _reject(central.client, "uuid:r3", central.auth("sue"))
    hub.forwarder.pull_down()
    tablet.pull(hub.device(token))  # r3 comes back at the office...
    tablet.pull(direct(central, "amina"))  # ...and not again at HQ
    assert tablet.returned == ["uuid:r1", "uuid:r2", "uuid:r3"]
    assert hub.forwarder.push_pending() == 0  # what came down is not sent back up

    with hub.device(token) as office:  # corrected at the office: the edit is amina's upstream
        [fixed] = office.push([_item("uuid:r3b", deprecated="uuid:r3")], lambda i, n: b"")
    assert fixed.status == "stored" and hub.forwarder.push_pending() == 1
    corrected = central.storage.submission("uuid:r3")
    assert corrected is not None and corrected.replaced_by == "uuid:r3b"
    _reject(central.client, "uuid:r3b", central.auth("sue"))
    tablet.pull(direct(central, "amina"))
    hub.forwarder.pull_down()
    tablet.pull(hub.device(token))
    assert tablet.returned == ["uuid:r1", "uuid:r2", "uuid:r3", "uuid:r3b"]


@pytest.mark.sqlite_only("a SQLite file of schema version 4 is migrated")
def test_a_data_folder_from_before_hubs_opens_and_takes_forwarded_interviews(
    tmp_path: Path, other_database: str | None
) -> None:
    """A server's data folder made before the route and the returns' numbers were kept
    (schema version 4) opens; what it held has no route, and hubs forward to it."""
    path = tmp_path / "central" / "server.db"
    path.parent.mkdir()
    old = sqlite_utils.Database(path)
    for migration in MIGRATIONS[:4]:
        migration(old)
    old.execute("PRAGMA user_version = 4")
    old.execute(
        "INSERT INTO submissions (instance_id, form_id, xml, enumerator, district, outbox)"
        " VALUES ('uuid:old', 'demo_household', '<data/>', 'amina', 'north', 'pending')"
    )
    old.conn.commit()
    old.close()
    storage = SqliteStorage(path)
    assert storage.db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert storage.submission("uuid:old").via is None  # type: ignore[union-attr]
    central = make_server(tmp_path / "central")
    hub = start_hub(tmp_path / "hub", central, database=other_database)
    hub.forwarder.users.refresh()
    with hub.device(central.tokens["amina"]) as tablet:
        tablet.push([_item("uuid:new")], lambda i, n: b"")
    assert hub.forwarder.push_pending() == 1
    assert central.storage.submission("uuid:new").via == "hub"  # type: ignore[union-attr]

"""A coordinator's token (it sits on a district hub's laptop) reads its own district only, as a
supervisor's does (#15 item 7): every review, media, export and report endpoint gives a
coordinator of north nothing of south, refused (403) or filtered, and "all districts" is an
admin's."""

from __future__ import annotations

import hashlib

import pytest
from hub_support import direct
from server_support import Server, instance_xml, make_server

from sync.protocol import SubmissionItem
from sync.server.api.auth import add_user

pytestmark = pytest.mark.server_storage

PHOTO = b"\xff\xd8 a south door \xff\xd9"
SOUTH = "uuid:south-1"
NORTH = "uuid:north-1"


def _photographed(instance_id: str) -> SubmissionItem:
    xml = instance_xml(instance_id).replace("</consent>", "</consent><photo>door.jpg</photo>")
    ref = {"name": "door.jpg", "sha256": hashlib.sha256(PHOTO).hexdigest(), "size": len(PHOTO)}
    return SubmissionItem.model_validate(
        {"instance_id": instance_id, "form_id": "demo_household", "xml": xml, "attachments": [ref]}
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, shared_database: str | None) -> Server:
    made = make_server(tmp_path_factory.mktemp("scope"))
    made.tokens["ada"] = add_user(made.storage, "ada", "admin", None)
    for enumerator, instance_id in (("kofi", SOUTH), ("amina", NORTH)):
        with direct(made, enumerator) as tablet:
            [result] = tablet.push([_photographed(instance_id)], lambda i, n: PHOTO)
        assert result.status == "stored" and not result.missing_attachments
    review = {"decision": "rejected", "comment": "recount", "question_comments": {}}
    for instance_id, supervisor in ((SOUTH, "sam"), (NORTH, "sue")):
        made.client.post(
            f"/api/v1/review/{instance_id}", json=review, headers=made.auth(supervisor)
        )
    return made


REFUSED = [
    ("GET", f"/api/v1/review/submissions/{SOUTH}", {}),
    ("GET", f"/api/v1/review/submissions/{SOUTH}/attachments/door.jpg", {}),
    ("GET", f"/api/v1/review/submissions/{SOUTH}/attachments/door.jpg?width=64", {}),
    ("POST", f"/api/v1/review/submissions/{SOUTH}/decision", {"decision": "approved"}),
    ("POST", f"/api/v1/review/{SOUTH}", {"decision": "approved"}),
    ("GET", "/api/v1/review/queue?district=south", None),
    ("GET", "/api/v1/exports/demo_household.csv?district=south", None),
    ("GET", "/api/v1/export-forms", None),
    (
        "POST",
        "/api/v1/export-jobs",
        {"form": "demo_household", "format": "csv", "district": ["south"]},
    ),
    ("GET", "/api/v1/report.json?form=demo_household&district=south", None),
    ("GET", "/api/v1/report/summary.json?form=demo_household&district=south", None),
    ("GET", "/api/v1/report.html?form=demo_household&district=south", None),
    ("POST", "/api/v1/report/scenarios", {"form": "demo_household", "district": ["south"]}),
]


@pytest.mark.parametrize(("method", "path", "body"), REFUSED)
def test_a_coordinator_of_north_is_refused_what_is_of_south(
    server: Server, method: str, path: str, body: dict[str, object] | None
) -> None:
    answer = server.client.request(method, path, json=body, headers=server.auth("hub"))
    assert answer.status_code == 403, answer.text
    assert SOUTH not in answer.text


def test_what_an_admin_reads_of_south_a_coordinator_of_north_does_not(server: Server) -> None:
    get = server.client.get
    assert get(f"/api/v1/review/submissions/{SOUTH}", headers=server.auth("ada")).status_code == 200
    photo = get(f"/api/v1/review/submissions/{SOUTH}/attachments/door.jpg",
                headers=server.auth("ada"))  # fmt: skip
    assert photo.content == PHOTO


@pytest.mark.parametrize("who", ["hub", "sue"])
def test_lists_a_north_reader_gets_are_filtered_to_north(server: Server, who: str) -> None:
    """The queue and the dashboard, as a supervisor of north gets them: north only."""
    get = server.client.get
    queue = get("/api/v1/review/queue", headers=server.auth(who)).json()
    assert [row["instance_id"] for row in queue] == [NORTH]
    dashboard = get("/api/v1/review/dashboard", headers=server.auth(who)).json()
    assert [row["enumerator"] for row in dashboard] == ["amina"]
    own = get(f"/api/v1/review/submissions/{NORTH}/attachments/door.jpg", headers=server.auth(who))
    assert own.content == PHOTO
    everyone = get("/api/v1/review/queue", headers=server.auth("ada")).json()
    assert sorted(row["instance_id"] for row in everyone) == sorted([NORTH, SOUTH])


def test_a_hubs_pull_brings_its_districts_returns_only(server: Server) -> None:
    with direct(server, "hub", device_id="relay") as hub:
        returned = hub.pull(None).returned
    assert [(r.instance_id, r.enumerator) for r in returned] == [(NORTH, "amina")]
    with direct(server, "ada", device_id="relay") as admin_hub:
        everywhere = {r.instance_id for r in admin_hub.pull(None).returned}
    assert everywhere == {NORTH, SOUTH}

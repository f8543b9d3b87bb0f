"""The review API with the real app: roles, queue filters, rendering, reject → pull → correction."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from server_support import Server, instance_xml, make_server

from sync.server.api.auth import add_user
from sync.server.review.store import QueueFilter
from sync.server.storage.sqlite.review_index import QUEUE_PAGE, _matching

pytestmark = pytest.mark.server_storage

FULL = (
    '<data id="demo_household" version="2026112601"><start>2026-03-02T09:00:00+00:00</start>'
    "<end>2026-03-02T09:42:00+00:00</end><enumerator>e01</enumerator>"
    "<household_id>AB-0007</household_id><region>north</region>"
    "<location>6.1 0.2 100 5</location><consent>yes</consent><interview><hh_size>2</hh_size>"
    "<member><name>Amina</name><sex>female</sex><age>41</age></member>"
    "<member><name>Kofi</name><sex>male</sex><age>45</age></member><cocoa_kg>800</cocoa_kg>"
    "<cocoa_price>2.5</cocoa_price></interview><meta><instanceID>{iid}</instanceID>{old}"
    "</meta></data>"
)


def push(server: Server, user: str, *items: tuple[str, str]) -> None:
    body = {"batch_id": items[0][0], "device_id": "d1",
            "items": [{"instance_id": i, "form_id": "demo_household", "xml": x} for i, x in items]}  # fmt: skip
    response = server.client.post("/api/v1/submissions", json=body, headers=server.auth(user))
    assert {r["status"] for r in response.json()["results"]} == {"stored"}, response.text


@pytest.fixture
def server(tmp_path: Path) -> Server:
    made = make_server(tmp_path / "server")
    made.tokens["ada"] = add_user(made.storage, "ada", "admin", None)
    push(made, "amina", ("uuid:a1", FULL.format(iid="uuid:a1", old="")),
         ("uuid:a2", instance_xml("uuid:a2", "AB-0002")))  # fmt: skip
    push(made, "kofi", ("uuid:k1", instance_xml("uuid:k1", "AB-0003")))
    return made


def queue(server: Server, user: str, **params: str) -> list[str]:
    response = server.client.get("/api/v1/review/queue", params=params, headers=server.auth(user))
    assert response.status_code == 200, response.text
    return sorted(row["instance_id"] for row in response.json())


def test_a_supervisor_sees_and_acts_on_their_own_district_only(server: Server) -> None:
    assert queue(server, "sue") == ["uuid:a1", "uuid:a2"]
    assert queue(server, "sam") == ["uuid:k1"]
    assert queue(server, "hub") == ["uuid:a1", "uuid:a2"]  # a coordinator: as a supervisor
    assert queue(server, "ada") == ["uuid:a1", "uuid:a2", "uuid:k1"]
    get = server.client.get
    assert get("/api/v1/review/queue", params={"district": "south"},
               headers=server.auth("sue")).status_code == 403  # fmt: skip
    assert get("/api/v1/review/submissions/uuid:a1", headers=server.auth("sam")).status_code == 403
    assert get("/api/v1/review/queue", headers=server.auth("amina")).status_code == 403
    decide = server.client.post(
        "/api/v1/review/submissions/uuid:a1/decision",
        json={"decision": "approved"},
        headers=server.auth("sam"),
    )
    assert decide.status_code == 403
    assert server.storage.reviews("uuid:a1") == []


def test_queue_filters(server: Server) -> None:
    today = server.storage.submission("uuid:a1").submitted_at[:10]  # type: ignore[union-attr]
    assert queue(server, "ada", enumerator="kofi") == ["uuid:k1"]
    assert queue(server, "ada", form_id="other") == []
    assert queue(server, "ada", date_from=today, date_to=today) == ["uuid:a1", "uuid:a2", "uuid:k1"]
    assert queue(server, "ada", date_from="2999-01-01") == []
    assert queue(server, "ada", flag="too_short") == []
    assert queue(server, "ada", flag="gps_missing") == []
    server.client.post("/api/v1/review/submissions/uuid:a2/decision",
                       json={"decision": "has_issues", "comment": "check"},
                       headers=server.auth("sue"))  # fmt: skip
    assert queue(server, "ada", state="has_issues") == ["uuid:a2"]
    assert queue(server, "ada", state="received") == ["uuid:a1", "uuid:k1"]


def test_submission_rendered_with_labels_repeats_gps_and_duration(server: Server) -> None:
    view = server.client.get("/api/v1/review/submissions/uuid:a1", headers=server.auth("sue"))
    body = view.json()
    first = {a["label"]: a for a in body["rendered"]["sections"][0]["answers"]}
    assert first["Region"]["display"] == "North"
    assert first["Enumerator"]["display"] == "Adjoa Mensah"
    assert first["Homestead location"]["gps"] == [6.1, 0.2, 100.0, 5.0]
    table = body["rendered"]["sections"][1]["tables"][0]
    assert table["rows"] == [["Amina", "Female", "41"], ["Kofi", "Male", "45"]]
    assert (body["duration_min"], body["timing_source"]) == (42.0, "start/end fields")
    assert body["state"] == "received" and body["history"][0]["changes"] == []


def test_reject_pull_correct_and_the_new_version_shows_what_changed(server: Server) -> None:
    decide = server.client.post
    empty = decide("/api/v1/review/submissions/uuid:a1/decision",
                   json={"decision": "rejected"}, headers=server.auth("sue"))  # fmt: skip
    assert empty.status_code == 400 and "comment" in empty.json()["detail"]
    rejected = decide(
        "/api/v1/review/submissions/uuid:a1/decision",
        json={"decision": "rejected", "comment": "Recount",
              "question_comments": {"/data/interview/member[2]/age": "Kofi is 54"}},
        headers=server.auth("sue"),
    )  # fmt: skip
    assert rejected.json()["state"] == "rejected"
    pulled = server.client.get("/api/v1/pull", headers=server.auth("amina")).json()
    [returned] = pulled["returned"]
    assert {(c["ref"], c["text"]) for c in returned["comments"]} == {
        (None, "Recount"), ("/data/interview/member[2]/age", "Kofi is 54")}  # fmt: skip

    fixed = FULL.format(iid="uuid:a1b", old="<deprecatedID>uuid:a1</deprecatedID>")
    push(server, "amina", ("uuid:a1b", fixed.replace("<age>45</age>", "<age>54</age>")))
    assert queue(server, "sue") == ["uuid:a1b", "uuid:a2"]
    assert queue(server, "sue", state="superseded") == ["uuid:a1"]
    view = server.client.get("/api/v1/review/submissions/uuid:a1b", headers=server.auth("sue"))
    history = view.json()["history"]
    assert [v["instance_id"] for v in history] == ["uuid:a1", "uuid:a1b"]
    assert history[1]["changes"] == [
        {"ref": "/data/interview/member[2]/age", "before": "45", "after": "54",
         "shown_before": "45", "shown_after": "54"}]  # fmt: skip
    # what was asked for stays in sight when the correction is reviewed
    assert [(r["instance_id"], r["decision"], r["comment"], r["question_comments"])
            for r in view.json()["reviews"]] == [
        ("uuid:a1", "rejected", "Recount", {"/data/interview/member[2]/age": "Kofi is 54"})]  # fmt: skip
    late = decide("/api/v1/review/submissions/uuid:a1/decision",
                  json={"decision": "approved"}, headers=server.auth("sue"))  # fmt: skip
    assert late.status_code == 409


def test_dashboard_per_enumerator(server: Server) -> None:
    """Interviews count on the day they were done (a1 started on 2026-03-02, a2 has no start
    time: the day it arrived), and a correction replaces what it corrects."""
    server.client.post("/api/v1/review/submissions/uuid:a1/decision",
                       json={"decision": "rejected", "comment": "redo"},
                       headers=server.auth("sue"))  # fmt: skip
    push(server, "amina", ("uuid:a1b", FULL.format(
        iid="uuid:a1b", old="<deprecatedID>uuid:a1</deprecatedID>")))  # fmt: skip
    arrived = server.storage.submission("uuid:a2").submitted_at[:10]  # type: ignore[union-attr]
    rows = server.client.get("/api/v1/review/dashboard", headers=server.auth("ada")).json()
    stats = {row["enumerator"]: row for row in rows}
    amina = stats["amina"]
    assert (amina["interviews"], amina["interviews_per_day"], amina["rejections"]) == (2, 1.0, 1)
    assert amina["per_day"] == {"2026-03-02": 1, arrived: 1}
    assert amina["median_duration_min"] == 42.0
    assert amina["flag_rate"] == 0.0 and stats["kofi"]["interviews"] == 1
    own = server.client.get("/api/v1/review/dashboard", headers=server.auth("sam")).json()
    assert [row["enumerator"] for row in own] == ["kofi"]


def test_the_queue_is_read_a_page_at_a_time_with_the_total(server: Server) -> None:
    def page(**params: str | int) -> tuple[list[str], str]:
        response = server.client.get(
            "/api/v1/review/queue", params=params, headers=server.auth("ada")
        )
        assert response.status_code == 200, response.text
        return [r["instance_id"] for r in response.json()], response.headers["X-Total-Count"]

    first, total = page(limit=2)
    second, again = page(limit=2, offset=2)
    assert (len(first), len(second), total, again) == (2, 1, "3", "3")
    assert sorted(first + second) == ["uuid:a1", "uuid:a2", "uuid:k1"]
    assert page(limit=2, offset=3) == ([], "3")
    assert page(enumerator="amina", limit=1)[1] == "2"  # the total follows the filters
    for bad, field in (({"offset": -1}, "offset"), ({"limit": 0}, "limit"),
                       ({"limit": 5000}, "limit"), ({"offset": "first"}, "offset")):  # fmt: skip
        refused = server.client.get("/api/v1/review/queue", params=bad, headers=server.auth("ada"))
        assert refused.status_code == 422
        assert refused.json()["detail"].startswith(f"invalid query parameter {field}: "), bad


@pytest.mark.sqlite_only("SQLite's query plan for the queue page")
@pytest.mark.parametrize(
    ("where", "walked"),
    [
        (QueueFilter(), "SCAN s USING INDEX idx_submissions_submitted_at"),
        (QueueFilter(state="received", offset=100), "SCAN s USING INDEX idx_submissions_submitted_at"),
        (QueueFilter(district="north"),
         "SEARCH s USING INDEX idx_submissions_district_submitted_at (district=?)"),
    ],
)  # fmt: skip
def test_a_queue_page_walks_an_index_newest_first_instead_of_sorting_every_row(
    server: Server, where: QueueFilter, walked: str
) -> None:
    """With 100,000 submissions a sort of all rows took half a second per page
    (docs/benchmarks.md); the plan shows the page is read in order and stops at its end."""
    matching, params = _matching(where)
    db = sqlite3.connect(server.data / "server.db")
    query = "EXPLAIN QUERY PLAN " + QUEUE_PAGE.format(matching=matching)
    plan = [row[3] for row in db.execute(query, [*params, 100, 0])]
    db.close()
    assert walked in plan
    assert "USE TEMP B-TREE FOR ORDER BY" not in plan


@pytest.mark.parametrize(
    ("params", "said"),
    [
        ({"state": "done"}, "invalid query parameter state: Input should be 'received',"),
        ({"flag": "too_long"}, "invalid query parameter flag: no flag 'too_long';"
                               " use 'any' or one of too_short, section_too_short,"),
        ({"date_from": "26/11/2026"}, "invalid query parameter date_from:"
                                      " '26/11/2026' is not a date; write it as YYYY-MM-DD"),
        ({"date_to": "2026-02-30"}, "invalid query parameter date_to: '2026-02-30'"),
    ],
)  # fmt: skip
def test_a_queue_filter_it_cannot_apply_is_refused_with_what_to_write(
    server: Server, params: dict[str, str], said: str
) -> None:
    """A misspelt filter would otherwise show an empty queue, as if there were nothing."""
    refused = server.client.get("/api/v1/review/queue", params=params, headers=server.auth("ada"))
    assert refused.status_code == 422
    assert refused.json()["detail"].startswith(said), refused.json()["detail"]


def test_empty_filters_filter_nothing(server: Server) -> None:
    empty = {"state": "", "flag": " ", "date_from": "", "district": ""}
    assert queue(server, "ada", **empty) == ["uuid:a1", "uuid:a2", "uuid:k1"]

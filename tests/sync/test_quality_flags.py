"""Quality flags at ingestion through the real app: each flag once, none on a clean submission."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from server_support import Server, make_server

from sync.server.quality.checks import check, extract_facts, section_seconds
from sync.server.quality.config import FieldMap, QualityConfig

pytestmark = pytest.mark.server_storage

CONFIG = {
    "forms": {},
    "districts": {"north": {"min_lat": 5.0, "min_lon": -1.0, "max_lat": 7.0, "max_lon": 1.0}},
}
NORMAL = {"yield_kg_ha": 500.0, "price": 2.0, "total_ha": 2.0, "main_costs": 300.0,
          "income_total": 1000.0}  # fmt: skip


def submission(
    instance_id: str,
    *,
    household: str = "H-100",
    minutes: int = 35,
    gps: str = "6.0 0.1 120 8",
    version: str = "2026112601",
    dont_know: int = 0,
    scale: dict[str, float] | None = None,
    step: int = 0,
) -> str:
    values = {name: base * (1 + 0.02 * step) for name, base in NORMAL.items()}
    for name, factor in (scale or {}).items():
        values[name] *= factor
    metrics = "".join(f"<{name}>{value:g}</{name}>" for name, value in values.items())
    answers = "".join(f"<q{i}>{'-88' if i < dont_know else 'yes'}</q{i}>" for i in range(12))
    return (
        f'<data id="demo_household" version="{version}">'
        "<start>2026-03-02T09:00:00.000+00:00</start>"
        f"<end>2026-03-02T{9 + minutes // 60:02d}:{minutes % 60:02d}:00.000+00:00</end>"
        f"<identification><household_id>{household}</household_id><gps>{gps}</gps>"
        f"</identification><main_crop><crop>cocoa</crop></main_crop>{metrics}{answers}"
        f"<meta><instanceID>{instance_id}</instanceID></meta></data>"
    )


def push(server: Server, instance_id: str, xml: str, *more: tuple[str, str]) -> None:
    items = [{"instance_id": i, "form_id": "demo_household", "xml": x}
             for i, x in [(instance_id, xml), *more]]  # fmt: skip
    body = {"batch_id": f"b-{instance_id}", "device_id": "d1", "items": items}
    response = server.client.post("/api/v1/submissions", json=body, headers=server.auth("amina"))
    assert {r["status"] for r in response.json()["results"]} == {"stored"}, response.text


def flag_codes(server: Server, instance_id: str) -> set[str]:
    response = server.client.get(
        f"/api/v1/review/submissions/{instance_id}", headers=server.auth("sue")
    )
    assert response.status_code == 200, response.text
    return {flag["code"] for flag in response.json()["flags"]}


@pytest.fixture
def server(tmp_path: Path) -> Server:
    made = make_server(tmp_path / "server")
    made.storage.set_setting(
        "quality_config", QualityConfig.model_validate(CONFIG).model_dump_json()
    )
    peers = [(f"uuid:peer-{i}", submission(f"uuid:peer-{i}", household=f"H-{i}", step=i))
             for i in range(10)]  # fmt: skip
    push(made, *peers[0], *peers[1:])
    return made


def test_clean_submission_has_no_flags(server: Server) -> None:
    push(server, "uuid:clean", submission("uuid:clean", step=5))
    assert flag_codes(server, "uuid:clean") == set()
    flagged = server.client.get(
        "/api/v1/review/queue", params={"flag": "any"}, headers=server.auth("sue")
    )
    assert flagged.status_code == 200 and flagged.json() == []


CASES: list[tuple[str, dict[str, object]]] = [
    ("too_short", {"minutes": 4}),
    ("outlier_yield", {"scale": {"yield_kg_ha": 6.0}}),
    ("outlier_price", {"scale": {"price": 0.1}}),
    ("outlier_area", {"scale": {"total_ha": 9.0}}),
    ("outlier_costs", {"scale": {"main_costs": 8.0}}),
    ("outlier_income", {"scale": {"income_total": -3.0}}),
    ("gps_missing", {"gps": ""}),
    ("gps_inaccurate", {"gps": "6.0 0.1 120 250"}),
    ("gps_outside_district", {"gps": "9.5 0.1 120 8"}),
    ("duplicate_household", {"household": "H-3"}),
    ("outdated_form_version", {"version": "2025010101"}),
    ("dont_know_rate", {"dont_know": 4}),
]


@pytest.mark.parametrize(("code", "options"), CASES, ids=[c for c, _ in CASES])
def test_each_flag_is_raised_alone(server: Server, code: str, options: dict[str, object]) -> None:
    push(server, "uuid:odd", submission("uuid:odd", step=5, **options))  # type: ignore[arg-type]
    assert flag_codes(server, "uuid:odd") == {code}
    queue = server.client.get(
        "/api/v1/review/queue", params={"flag": code}, headers=server.auth("sue")
    ).json()
    assert [row["instance_id"] for row in queue] == ["uuid:odd"]


def test_corrected_version_is_not_a_duplicate_of_the_one_it_replaces(server: Server) -> None:
    xml = submission("uuid:v2", household="H-3", step=3).replace(
        "</instanceID>", "</instanceID><deprecatedID>uuid:peer-3</deprecatedID>"
    )
    push(server, "uuid:v2", xml)
    assert flag_codes(server, "uuid:v2") == set()


def test_section_too_short_from_an_audit_log(server: Server) -> None:
    audit = "event,node,start,end\nquestion,/data/roster/hh_size,1000,4000\n" \
            "question,/data/costs/cost_fertiliser,5000,125000\nbogus,row,x,y\n"  # fmt: skip
    assert section_seconds(audit, "data") == {"roster": 3.0, "costs": 120.0}
    config = QualityConfig(min_section_seconds={"roster": 30}, default_min_section_seconds=60)
    facts = extract_facts(submission("uuid:x"), FieldMap(), config.dont_know_codes)
    flags = check(facts, config, district="north", form_version="1", current_version="1",
                  peers={}, duplicate_of=None, sections=section_seconds(audit, "data"))  # fmt: skip
    assert [(f.code, "roster" in f.message) for f in flags] == [("section_too_short", True)]

    # Through the API: the audit log arrives as an attachment after the submission.
    import hashlib

    data = audit.encode()
    digest = hashlib.sha256(data).hexdigest()
    body = {"batch_id": "b-a", "device_id": "d1", "items": [{"instance_id": "uuid:aud", "form_id": "demo_household",
            "xml": submission("uuid:aud", step=4),
            "attachments": [{"name": "audit.csv", "sha256": digest, "size": len(data)}]}]}  # fmt: skip
    posted = server.client.post("/api/v1/submissions", json=body, headers=server.auth("amina"))
    assert posted.json()["results"][0]["status"] == "stored", posted.text
    server.storage.set_setting("quality_config", json.dumps({**CONFIG,
                               "min_section_seconds": {"roster": 30}}))  # fmt: skip
    put = server.client.put("/api/v1/submissions/uuid:aud/attachments/audit.csv", content=data,
                            headers=server.auth("amina"))  # fmt: skip
    assert put.status_code == 201
    view = server.client.get("/api/v1/review/submissions/uuid:aud", headers=server.auth("sue"))
    assert view.json()["timing_source"] == "audit.csv paradata"
    assert {f["code"] for f in view.json()["flags"]} == {"section_too_short"}


def test_bad_config_is_refused_naming_the_field_and_changes_nothing(server: Server) -> None:
    before = server.client.get("/api/v1/review/config", headers=server.auth("sue")).json()
    bad = {"min_peers": 2}
    response = server.client.put("/api/v1/review/config", json=bad, headers=server.auth("sue"))
    assert response.status_code == 403
    admin = server.storage
    from sync.server.api.auth import add_user

    token = add_user(admin, "ada", "admin", None)
    response = server.client.put(
        "/api/v1/review/config", json=bad, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 400 and "min_peers" in response.json()["detail"]
    assert server.client.get("/api/v1/review/config", headers=server.auth("sue")).json() == before

"""Scenarios where a user meets them (issue #19, item 5): `report --scenario` into the HTML and
report.json, the API behind the Scenarios screen, scoped to the supervisor's district, and
the plausible limits kept in the project's settings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from report_support import HOUSEHOLDS, xml_of

from sync.server.api.auth import add_user
from sync.server.app import ServerConfig, create_app, open_storage
from sync.server.cli import main
from sync.server.intake.ingest import ingest
from sync.server.report.driver_limits import DriverLimit, DriverLimits, shipped_limits
from sync.server.storage import ReviewRecord, User
from sync.server.supervisor_ui.scenarios_screen import changes_of, limits_text

pytestmark = pytest.mark.server_storage

FORM = "living_income_household"
BARE = {str(h["id"]) for n, h in enumerate(HOUSEHOLDS) if n % 8 == 0}
"""Households stored without a productive area: no drivers."""


KG_HA, PRICE = 600, 1_600


def area(n: int) -> int:
    return 0 if n % 8 == 0 else 1 + n % 3


def crop(n: int) -> str:
    """The main crop's figures of household n: 1 to 3 ha, KG_HA kg/ha, all sold at PRICE."""
    kg = KG_HA * area(n)
    return (f"<plots><productive_total_ha>{area(n)}</productive_total_ha></plots><main_crop>"
            f"<harvest_kg_total>{kg}</harvest_kg_total><season><sold_kg>{kg}</sold_kg>"
            "<home_kg>0</home_kg><to_priced>1</to_priced></season></main_crop>"
            f"<main_sales>{kg * PRICE}</main_sales><costs><main_costs>{100_000 * area(n)}"
            "</main_costs></costs><identification><country>ci</country></identification>")  # fmt: skip


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """Every household ingested with its main crop's figures (as the questionnaire lays them
    out), in its district, then approved."""
    storage, _ = open_storage(tmp_path)
    for n, h in enumerate(HOUSEHOLDS):
        xml = xml_of(h).replace("<meta>", crop(n) + "<meta>")
        user = User("amina", "enumerator", str(h["district"]))
        assert ingest(storage, user, xml, require_known_form=False).status == "stored"
        storage.add_review(ReviewRecord(str(h["id"]), "approved", "", {}, "sue", "2026-02-02", 0))
    return tmp_path


def cli(data: Path, *args: str) -> int:
    return main(["report", FORM, *args, "--data", str(data)])


def test_report_json_and_html_carry_the_named_scenarios(data: Path) -> None:
    out = data / "r.json"
    assert cli(data, "-o", str(out), "--scenario", "same:price=+0%",
               "--scenario", "fair:price=+20%,yield=+15%") == 0  # fmt: skip
    found: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    same, fair = found["scenarios"]
    assert (same["scenario"]["name"], fair["changes"]) == (
        "same",
        {"price": "+20%", "yield": "+15%"},
    )
    report = {(g["by"], g["group"], g["benchmark"]["id"]): g for g in found["groups"]}
    for g in same["groups"]:  # no change: the report's own figures, intervals included
        want = report[g["by"], g["group"], g["benchmark_id"]]
        assert (g["share_below_pct"], g["gap_pct"], g["fgt1"]) == (
            want["share_below_pct"], want["gap_pct"], want["fgt1"])  # fmt: skip
    for before, after in zip(same["groups"], fair["groups"], strict=True):
        assert after["share_below_pct"]["value"] <= before["share_below_pct"]["value"]
    assert {m["instance_id"] for m in found["drivers"]["missing"]} == BARE
    assert found["drivers"]["missing_by_reason"] == {"no productive area of the main crop": 3}
    below = {h["instance_id"] for h in found["households"] if h["below"]}
    assert {b["instance_id"] for b in found["drivers"]["below"]} == below
    page = data / "r.html"
    assert cli(data, "-o", str(page), "--scenario", "fair:price=+20%") == 0
    html = page.read_text(encoding="utf-8")
    assert "<h2>Scenarios</h2>" in html and "fair: price +20%" in html
    assert html.index("Income drivers: what closes the gap") < html.index("<h2>Methods</h2>")


def test_a_malformed_scenario_is_refused_naming_the_part(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = data / "bad.json"
    assert cli(data, "-o", str(out), "--scenario", "x:prise=+20%") == 1
    assert capsys.readouterr().err.strip() == (
        "error: --scenario 'x:prise=+20%': unknown driver 'prise'"
        " (price, yield, area, cost, other_income)"
    )
    assert not out.exists()


def test_the_api_runs_scenarios_for_the_supervisors_district_only(data: Path) -> None:
    storage, _ = open_storage(data)
    client = TestClient(create_app(ServerConfig(data)))
    north = {"Authorization": f"Bearer {add_user(storage, 'sue', 'supervisor', 'north')}"}
    body = {"scenarios": [{"name": "fair", "price_pct": 20}]}
    answer = client.post("/api/v1/report/scenarios", json=body, headers=north)
    assert answer.status_code == 200, answer.text
    [fair] = answer.json()["scenarios"]
    districts = {g["group"] for g in fair["groups"] if g["by"] == "district"}
    assert districts == {"north"}
    whole = sum(g["n"] for g in fair["groups"] if g["by"] == "all")
    assert whole == sum(1 for h in HOUSEHOLDS if h["district"] == "north")
    other = client.post("/api/v1/report/scenarios", json={**body, "district": ["south"]},
                        headers=north)  # fmt: skip
    assert other.status_code == 403
    bad = client.post("/api/v1/report/scenarios", json={"scenarios": [{"name": "x", "price_pct": -300}]},
                      headers=north)  # fmt: skip
    assert bad.status_code == 422


def test_the_limits_are_project_settings_an_admin_replaces(data: Path) -> None:
    storage, _ = open_storage(data)
    client = TestClient(create_app(ServerConfig(data)))
    admin = {"Authorization": f"Bearer {add_user(storage, 'ann', 'admin', None)}"}
    north = {"Authorization": f"Bearer {add_user(storage, 'sue', 'supervisor', 'north')}"}
    shipped = client.get("/api/v1/report/driver-limits", headers=north).json()
    assert shipped == shipped_limits().model_dump(mode="json")
    mine = {"limits": [{"country": "ci", "crop": "cocoa", "yield_max_kg_ha": 900, "source": "us"}]}
    assert client.put("/api/v1/report/driver-limits", json=mine, headers=north).status_code == 403
    wrong = {"limits": [{"country": "ci", "crop": "cocoa", "cost_cut_max_pct": 150}]}
    refused = client.put("/api/v1/report/driver-limits", json=wrong, headers=admin)
    assert refused.status_code == 400
    assert "limits.0.cost_cut_max_pct" in refused.json()["detail"]
    assert client.put("/api/v1/report/driver-limits", json=mine, headers=admin).status_code == 200
    assert (
        client.get("/api/v1/report/driver-limits", headers=north).json()["limits"][0][
            "yield_max_kg_ha"
        ]
        == 900
    )


def test_the_screen_names_a_typed_change_it_cannot_use() -> None:
    assert changes_of({"price_pct": "20 %", "area_ha": "0.5"}) == (
        {"price_pct": 20.0, "area_ha": 0.5},
        None,
    )
    assert changes_of({"yield_pct": "lots"}) == ({}, "Yield change (%): 'lots' is not a number")
    assert changes_of({"cost_pct": "-150"}) == (
        {},
        "Cost change (%): Input should be greater than or equal to -100",
    )


def test_the_screen_says_which_limits_make_a_change_within_reach() -> None:
    mine = DriverLimits(limits=[DriverLimit(country="gh", crop="cocoa", currency="GHS",
                                            price_max_per_kg=48, area_max_ha=4)])  # fmt: skip
    assert limits_text(mine.model_dump(mode="json")["limits"]) == (
        "Within reach: gh cocoa: price ≤ 48 GHS/kg, area ≤ 4.0 ha; any other country and crop"
        " has no limit: its changes are not assessed (never counted as within reach)."
    )

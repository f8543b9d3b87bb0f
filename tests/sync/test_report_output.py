"""What the report says around its figures (issue #16, items 15, 18, 19 and 20): the
population it counts (approved, latest version, by default), the states the API and the CLI
take, the methods note, the benchmarks' citations and report.json's shape."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from report_support import HOUSEHOLDS, store, xml_of

from sync.server.api.auth import add_user
from sync.server.app import ServerConfig, create_app, open_storage
from sync.server.cli import main
from sync.server.errors import BadRequest
from sync.server.exports.source import ExportFilter
from sync.server.intake.ingest import ingest
from sync.server.report.benchmarks import CSV, TYPES, parse_benchmarks
from sync.server.report.build import report_for
from sync.server.report.html import render_html
from sync.server.storage import ReviewRecord, Storage, User

pytestmark = pytest.mark.server_storage

FORM = "living_income_household"


@pytest.fixture
def states(tmp_path: Path) -> Storage:
    """H000 approved, H001 received, H002 rejected, H003 approved then edited (the edit,
    H003's new version, received), H004 has_issues."""
    storage, _ = open_storage(tmp_path)
    for h, state in zip(HOUSEHOLDS[:5], ["approved", None, "rejected", "approved", "has_issues"],
                        strict=True):  # fmt: skip
        store(storage, h, state)
    edit = xml_of(HOUSEHOLDS[3]).replace("uuid:li-003", "uuid:li-003-edit")
    edit = edit.replace("</instanceID>", "</instanceID><deprecatedID>uuid:li-003</deprecatedID>")
    user = User("amina", "enumerator", "south")
    assert ingest(storage, user, edit, require_known_form=False).status == "stored"
    return storage


def counted(storage: Storage, *chosen: str) -> list[str]:
    report = report_for(storage, FORM, ExportFilter(states=chosen))
    return sorted(h.instance_id for h in report.households)


def test_approved_latest_versions_only_by_default(states: Storage) -> None:
    assert counted(states) == ["uuid:li-000"]  # H003 was superseded by its received edit
    assert counted(states, "approved", "received") == [
        "uuid:li-000", "uuid:li-001", "uuid:li-003-edit"]  # fmt: skip
    states.add_review(ReviewRecord("uuid:li-003-edit", "approved", "", {}, "sue", "2026-02-03", 0))
    assert counted(states) == ["uuid:li-000", "uuid:li-003-edit"]
    report = report_for(states, FORM, ExportFilter())
    assert report.population.states == ("approved",)
    assert "Submissions approved (review state), latest version" in render_html(report, "t")
    with pytest.raises(BadRequest, match="unknown review state 'aproved': choose from approved"):
        report_for(states, FORM, ExportFilter(states=("aproved",)))


def test_the_api_and_the_cli_take_the_states(states: Storage, tmp_path: Path) -> None:
    token = add_user(states, "ann", "admin", None)
    client = TestClient(create_app(ServerConfig(tmp_path)))
    headers = {"Authorization": f"Bearer {token}"}
    got = client.get("/api/v1/report/summary.json?state=approved&state=received", headers=headers)
    assert got.status_code == 200 and got.json()["households"] == 3
    assert got.json()["population"]["states"] == ["approved", "received"]
    assert client.get("/api/v1/report/summary.json", headers=headers).json()["households"] == 1
    out = tmp_path / "report.json"
    assert main(["report", FORM, "-o", str(out), "--data", str(tmp_path),
                 "--states", "approved,received"]) == 0  # fmt: skip
    assert len(json.loads(out.read_text())["households"]) == 3
    assert main(["report", FORM, "-o", str(out), "--data", str(tmp_path), "--states", "x"]) == 1


def test_report_json_names_currency_benchmark_n_and_intervals(states: Storage) -> None:
    report = report_for(states, FORM, ExportFilter(states=("approved", "received")))
    data: dict[str, Any] = json.loads(report.model_dump_json())
    for group in data["groups"]:
        assert group["currency"] == "XOF"
        assert {"id", "place", "year"} <= set(group["benchmark"])
        assert isinstance(group["n"], int) and isinstance(group["small"], bool)
        for name in ("share_below_pct", "mean_income", "median_income", "gap_pct"):
            low, high = group[name]["ci95"]
            assert low <= group[name]["value"] <= high
    assert [g["benchmark"]["year"] for g in data["groups"] if g["by"] == "all"] == [2022, 2024]


def test_the_html_ends_with_the_methods_note(states: Storage) -> None:
    page = render_html(report_for(states, FORM, ExportFilter(states=("approved", "received"))), "t")
    methods = page.index("<h2>Methods</h2>")
    assert methods > page.index("<h2>Households</h2>")
    note = page[methods:]
    for said in ("5DE = 1 − H × A", "A-WEAI = 0.9 × 5DE + 0.1 × GPI",
                 "(adjusted benchmark − max(income, 0))",
                 "ci_cocoa_2024", "superseded by ci_cocoa_2024", "Anker living income benchmark",
                 "negative net income", "bootstrap", "OECD-modified"):  # fmt: skip
        assert said in note, said
    groups = page[page.index("<h2>Groups</h2>") : methods]
    assert "XOF" in groups and "(ci_cocoa_2022, superseded by ci_cocoa_2024)" in groups


def test_every_benchmark_row_cites_its_source_and_type() -> None:
    rows = list(csv.DictReader(io.StringIO(CSV.read_text(encoding="utf-8"))))
    names = {r["name"] for r in rows}
    for row in rows:
        assert row["type"] in TYPES, row["name"]
        assert row["publication"] and row["publication_year"].isdigit(), row["name"]
        assert row["url"].startswith("https://"), row["name"]
        assert row["superseded_by"] in names | {""}, row["name"]
    assert {r["name"] for r in rows if r["superseded_by"]} == {"ci_cocoa_2022", "gh_cocoa_2022"}


def test_a_bad_benchmark_cell_is_named() -> None:
    head = "name,label,country,region,year,currency,value,ref_units,type,price_factor,price_factor_year\n"
    with pytest.raises(ValueError, match="benchmarks.csv row 2: price_factor 'x' is not a number"):
        parse_benchmarks(head + "a,A,gh,r,2022,GHS,1,2.4,,x,2024\n")
    with pytest.raises(ValueError, match="row 2: type 'anker' is not one of"):
        parse_benchmarks(head + "a,A,gh,r,2022,GHS,1,2.4,anker,,\n")
    with pytest.raises(ValueError, match="row 3: price_factor without price_factor_year"):
        parse_benchmarks(head + "a,A,gh,r,2022,GHS,1,2.4,,,\nb,B,gh,r,2022,GHS,1,2.4,,1.2,\n")

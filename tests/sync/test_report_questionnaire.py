"""The report over REAL interviews of the shipped questionnaire.

Three households are answered through FormSession on `living_income_household`
(the builders of tests/forms/test_living_income_households.py, whose figures are
checked there against hand arithmetic), serialized, submitted by enumerators over
the batch API of the real app, and read back through `/api/v1/report.json`: every
per-household number equals the form's own calculation and the hand computation,
and the group numbers equal a computation written here.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "forms"))

from living_income_households import (
    cote_divoire_cocoa,
    ghana_cocoa,
    kenya_diversified,
)

from forms.session import FormSession
from forms.xform_reader import read_xform
from sync.server.api.auth import add_user
from sync.server.app import ServerConfig, create_app, open_storage
from sync.server.publish import publish_file
from sync.server.report.compute import Report
from sync.server.report.extract import mapped_paths, names_are_unique, reader_for
from sync.server.report.household import LIVING_INCOME_MAPPING, household_from_xml

pytestmark = pytest.mark.server_storage

FORM = Path(__file__).resolve().parents[2] / "assets" / "forms" / "living_income_household.xml"
FIGURES = ("main_net", "other_crops_net", "livestock_net", "wages", "business",
           "remittances", "transfers")  # fmt: skip
COMPONENTS = ("main_crop", "other_crops", "livestock", "wages", "business",
              "remittances", "transfers")  # fmt: skip
HAND_TOTALS = {"HH-CI": 2_074_380.0, "HH-GH": 45_084.0}
"""Total incomes worked out by hand in tests/forms/test_living_income_households.py."""
approx = pytest.approx
BENCHMARK_OF = {"HH-CI": "ci_cocoa_2024", "HH-GH": "gh_cocoa_2024", "HH-KE": "ke_kericho_2024"}
"""The benchmark rows the builders answer."""
CURRENCY = {"HH-CI": "XOF", "HH-GH": "GHS", "HH-KE": "KES"}
WEIGHTS = {"input": 1 / 5, "assets": 2 / 15, "credit": 1 / 15, "income": 1 / 5, "group": 1 / 5,
           "workload": 1 / 5}  # fmt: skip
"""A-WEAI's indicator weights (IFPRI's instructional guide)."""


def number(session: FormSession, path: str) -> float:
    return float(session.value("/data/" + path) or 0)


def interviews() -> list[tuple[str, str, FormSession]]:
    """(household id, enumerator, finalized session)."""
    found = []
    for household, enumerator, build in (
        ("HH-CI", "amina", cote_divoire_cocoa),
        ("HH-GH", "kofi", ghana_cocoa),
        ("HH-KE", "amina", kenya_diversified),
    ):
        session = build()
        assert session.answer("/data/identification/household_id", household).ok
        assert session.finalize() == []
        found.append((household, enumerator, session))
    return found


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, shared_database: str | None) -> tuple[TestClient, dict[str, str], list[tuple[str, str, FormSession]]]:  # fmt: skip
    data = tmp_path_factory.mktemp("report-questionnaire")
    storage, blobs = open_storage(data)
    publish_file(storage, blobs, FORM, runs=1)
    tokens = {
        name: add_user(storage, name, role, district)
        for name, role, district in (
            ("amina", "enumerator", "north"),
            ("kofi", "enumerator", "south"),
            ("sue", "supervisor", "north"),
            ("ann", "admin", None),
        )
    }
    client = TestClient(create_app(ServerConfig(data)))
    done = interviews()
    for n, (household, enumerator, session) in enumerate(done):
        # the builders share one random seed, hence one instanceID: each gets its own
        instance_id = f"uuid:report-{household}"
        xml = session.to_xml().replace(str(session.value("/data/meta/instanceID")), instance_id)
        batch = {"batch_id": f"b{n}", "device_id": f"tab-{enumerator}",
                 "items": [{"instance_id": instance_id, "form_id": "living_income_household",
                            "xml": xml}]}  # fmt: skip
        answer = client.post(
            "/api/v1/submissions",
            json=batch,
            headers={"Authorization": f"Bearer {tokens[enumerator]}"},
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["results"][0]["status"] == "stored", answer.text
    return client, tokens, done


def test_mapping_names_the_questionnaires_fields_and_reads_them_fast() -> None:
    definition = read_xform(FORM.read_text(encoding="utf-8"), source_name=FORM.name)
    paths = {n.path for n in definition.instance.iter()}
    root = definition.instance.path
    assert all(f"{root}/{p}" in paths for p in mapped_paths(LIVING_INCOME_MAPPING))
    assert names_are_unique(definition, mapped_paths(LIVING_INCOME_MAPPING))
    xml = cote_divoire_cocoa().to_xml()
    fast = reader_for(LIVING_INCOME_MAPPING, definition)(xml, "uuid:x", "north")
    slow = household_from_xml(xml, LIVING_INCOME_MAPPING, instance_id="uuid:x", district="north")
    assert fast == slow and fast.member_ages == (45, 38, 16, 12, 8, 67)


def test_report_equals_the_forms_calculations_and_a_separate_computation(
    served: tuple[TestClient, dict[str, str], list[tuple[str, str, FormSession]]],
) -> None:
    client, tokens, done = served
    response = client.get(  # the interviews are not reviewed yet: received
        "/api/v1/report.json?state=received", headers={"Authorization": f"Bearer {tokens['ann']}"}
    )
    assert response.status_code == 200, response.text
    report = Report.model_validate(response.json())
    assert report.skipped == []
    by_id = {h.household_id: h for h in report.households}
    assert set(by_id) == {h for h, _, _ in done}
    expected, empowered = {}, {}
    for household, enumerator, s in done:
        assert (
            by_id[household].benchmark_id == BENCHMARK_OF[household] == s.value("/data/benchmark")
        )
        got = by_id[household]
        for component, figure in zip(COMPONENTS, FIGURES, strict=True):
            assert got.components[component] == approx(number(s, figure)), (household, figure)
        assert got.own_consumption == approx(number(s, "own_consumption"))
        assert got.income_without_own == approx(number(s, "income_without_own"))
        assert got.income_total == approx(number(s, "income_total"))
        assert got.equivalence_units == approx(number(s, "roster/equivalence_units"))
        assert got.benchmark == approx(number(s, "benchmark_adjusted"))
        assert got.gap == approx(number(s, "gap"))
        assert 100 * got.gap / got.benchmark == approx(number(s, "gap_pct"), abs=0.05)  # rounded
        assert got.shortfall == approx((got.benchmark - max(got.income_total, 0)) / got.benchmark)
        assert got.below == (s.value("/data/position") == "below")
        positive = number(s, "income_positive")  # each source that made money, on its own
        assert got.women_income == approx(min(max(number(s, "women_income"), 0.0), positive))
        assert got.head_sex == s.value("/data/roster/head_sex")
        assert got.crop == s.value("/data/main_crop/crop")
        assert got.district == {"amina": "north", "kofi": "south"}[enumerator]
        flags = {d: s.value(f"/data/weai/w_{d}") == "1" for d in WEIGHTS}
        assert got.adequacy == "".join("1" if flags[d] else "0" for d in WEIGHTS)
        inadequate = sum(w for d, w in WEIGHTS.items() if not flags[d])
        assert 1 - inadequate == approx(number(s, "weai/dm[1]/empowerment_score"), abs=0.005)
        empowered[household] = 1.0 if inadequate <= 0.2 + 1e-9 else 1 - inadequate
        if household in HAND_TOTALS:
            assert got.income_total == approx(HAND_TOTALS[household])
        expected[household] = (got.income_total, got.benchmark)
    # three countries, three benchmarks: three groups of one household, never added together
    everyone = {g.benchmark.id: g for g in report.groups if g.by == "all"}
    currencies = {BENCHMARK_OF[h]: c for h, c in CURRENCY.items()}
    assert {b: g.currency for b, g in everyone.items()} == currencies
    for household, (income, benchmark) in expected.items():
        group = everyone[BENCHMARK_OF[household]]
        assert group.n == 1 and group.small
        assert group.share_below_pct.value == (100 if income < benchmark else 0)
        assert group.median_income.value == approx(income)
        assert group.gap_median == approx(benchmark - income)
        assert group.fgt1 == approx(max(0.0, (benchmark - max(income, 0.0)) / benchmark))
        assert group.weai is not None and group.weai.five_de == approx(empowered[household])
    heads = {(g.group, g.benchmark.id): g.n for g in report.groups if g.by == "head_sex"}
    assert sorted(heads.values()) == [1, 1, 1] and {h for h, _ in heads} == {"female", "male"}


def test_a_supervisor_reads_the_report_of_their_district_only(
    served: tuple[TestClient, dict[str, str], list[tuple[str, str, FormSession]]],
) -> None:
    client, tokens, done = served
    sue = {"Authorization": f"Bearer {tokens['sue']}"}
    got = client.get("/api/v1/report.json?state=received", headers=sue)
    report = Report.model_validate(got.json())
    assert {h.household_id for h in report.households} == {
        h for h, enumerator, _ in done if enumerator == "amina"
    }
    page = client.get("/api/v1/report.html?state=received", headers=sue)
    assert page.status_code == 200 and "HH-KE" in page.text and "HH-GH" not in page.text

"""The living income report over 24 synthetic households, checked by a separate computation."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from report_support import HOUSEHOLDS, store_households

from sync.server.app import ServerConfig, create_app, open_storage
from sync.server.auth import add_user
from sync.server.exports.source import ExportFilter
from sync.server.report.build import report_for
from sync.server.report.charts import MAX_BARS, income_vs_benchmark
from sync.server.report.compute import HouseholdResult, Report
from sync.server.storage import Storage


@pytest.fixture(scope="module")
def storage(tmp_path_factory: pytest.TempPathFactory) -> tuple[Storage, Path]:
    data = tmp_path_factory.mktemp("report")
    store, _ = open_storage(data)
    store_households(store)
    return store, data


def oecd(ages: list[int]) -> float:
    units, first_adult_seen = 0.0, False
    for age in ages:
        if age >= 14 and not first_adult_seen:
            units += 1
            first_adult_seen = True
        elif age >= 14:
            units += 0.5
        else:
            units += 0.3
    if not first_adult_seen and ages:
        units += 1 - 0.3  # no adult: the first child counts as 1
    return units


def expected_household(h: dict[str, object]) -> dict[str, float]:
    money, ages = h["money"], h["ages"]
    assert isinstance(money, list) and isinstance(ages, list)
    without = 0.0
    for value in money:
        without += value
    total = without + float(h["own"])  # type: ignore[arg-type]
    benchmark = float(h["bm"]) * oecd(ages) / float(h["units"])  # type: ignore[arg-type]
    gap = benchmark - total if total < benchmark else 0.0
    return {
        "without": without,
        "total": total,
        "benchmark": benchmark,
        "gap": gap,
        "gap_pct": 100 * gap / benchmark,
    }


def farm(ha: float) -> str:
    if ha <= 2:
        return "0-2 ha"
    if ha <= 4:
        return "2-4 ha"
    return "> 4 ha"


def median(values: list[float]) -> float:
    s = sorted(values)
    mid = len(s) // 2
    return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2


def test_every_number_matches_an_independent_computation(storage: tuple[Storage, Path]) -> None:
    report = report_for(storage[0], "living_income_household", ExportFilter())
    assert report.skipped == [] and len(report.households) == 24
    for h, got in zip(HOUSEHOLDS, report.households, strict=True):
        want = expected_household(h)
        assert got.income_without_own == pytest.approx(want["without"])
        assert got.income_total == pytest.approx(want["total"])
        assert got.benchmark == pytest.approx(want["benchmark"])
        assert got.gap == pytest.approx(want["gap"])
        assert got.gap_pct == pytest.approx(want["gap_pct"])
        assert got.below == (want["total"] < want["benchmark"])
        assert list(got.components.values()) == h["money"]
    keys = {
        "all": lambda h: "all households", "head_sex": lambda h: h["head_sex"],
        "region": lambda h: h["district"], "crop": lambda h: h["crop"], "farm_class": lambda h: farm(h["ha"]),
    }  # fmt: skip
    checked = 0
    for group in report.groups:
        members = [h for h in HOUSEHOLDS if keys[group.by](h) == group.group]
        figures = [expected_household(h) for h in members]
        n = len(members)
        assert group.households == n
        below = 0
        fgt1 = fgt2 = 0.0
        for f in figures:
            if f["total"] < f["benchmark"]:
                below += 1
                fgt1 += (f["benchmark"] - f["total"]) / f["benchmark"]
                fgt2 += ((f["benchmark"] - f["total"]) / f["benchmark"]) ** 2
        incomes = [f["total"] for f in figures]
        benchmarks = [f["benchmark"] for f in figures]
        assert group.share_below_pct == pytest.approx(100 * below / n)
        assert group.fgt1 == pytest.approx(fgt1 / n)
        assert group.fgt2 == pytest.approx(fgt2 / n)
        assert group.mean_income == pytest.approx(sum(incomes) / n)
        assert group.median_income == pytest.approx(median(incomes))
        assert group.median_benchmark == pytest.approx(median(benchmarks))
        assert group.gap_median == pytest.approx(median(benchmarks) - median(incomes))
        assert group.gap_mean == pytest.approx(sum(benchmarks) / n - sum(incomes) / n)
        main = sum(h["money"][0] for h in members)  # type: ignore[index]
        own = sum(float(h["own"]) for h in members)  # type: ignore[arg-type]
        other = sum(f["without"] for f in figures) - main
        assert group.composition_pct["main_crop"] == pytest.approx(
            100 * main / (main + other + own)
        )
        assert group.composition_pct["own_consumption"] == pytest.approx(
            100 * own / (main + other + own)
        )
        women = sum(float(h["women"]) for h in members)  # type: ignore[arg-type]
        assert group.women_share_pct == pytest.approx(
            100 * women / sum(f["without"] for f in figures)
        )
        module = [h["adequacy"] for h in members if h["adequacy"] is not None]
        assert group.women_module == len(module)
        weights = [1 / 5, 2 / 15, 1 / 15, 1 / 5, 1 / 5, 1 / 5]
        scores = [sum(w for w, ok in zip(weights, a, strict=True) if ok) for a in module]  # type: ignore[call-overload]
        if module:
            for k, domain in enumerate(
                ["input", "assets", "credit", "income", "group", "workload"]
            ):
                assert group.adequacy_pct[domain] == pytest.approx(
                    100 * sum(1 for a in module if a[k]) / len(module)
                )  # type: ignore[index]
            assert group.mean_empowerment_score == pytest.approx(sum(scores) / len(scores))
            assert group.empowered_pct == pytest.approx(
                100 * sum(1 for s in scores if s >= 0.8 - 1e-9) / len(scores)
            )
        checked += 1
    assert checked == 1 + 2 + 3 + 2 + 3


def test_report_routes_are_for_supervisors_of_their_district(storage: tuple[Storage, Path]) -> None:
    store, data = storage
    tokens = {
        name: add_user(store, name, role, district)
        for name, role, district in [("sue", "supervisor", "north"), ("ann", "admin", None), ("amina", "enumerator", "north")]
    }  # fmt: skip
    client = TestClient(create_app(ServerConfig(data)))

    def get(path: str, user: str) -> object:
        return client.get(path, headers={"Authorization": f"Bearer {tokens[user]}"})

    sue = get("/api/v1/report.json", "sue")
    assert sue.status_code == 200  # type: ignore[attr-defined]
    parsed = Report.model_validate(sue.json())  # type: ignore[attr-defined]
    assert {h.region for h in parsed.households} == {"north"}
    assert get("/api/v1/report.json?district=south", "sue").status_code == 403  # type: ignore[attr-defined]
    assert get("/api/v1/report.html", "amina").status_code == 403  # type: ignore[attr-defined]
    page = get("/api/v1/report.html", "ann")
    text = page.text  # type: ignore[attr-defined]
    assert page.status_code == 200 and text.count("<svg") == 3  # type: ignore[attr-defined]
    assert "<script" not in text and "http://" not in text.replace("http://www.w3.org/2000/svg", "")
    export = get("/api/v1/exports/living_income_household.csv?district=north", "sue")
    assert export.status_code == 404  # type: ignore[attr-defined]


def test_the_income_chart_of_many_households_draws_quantiles_not_a_bar_each() -> None:
    """100,000 households would be 100,000 rectangles (about 10 MB of SVG) in the report and
    on the report screen; past MAX_BARS each bar is a quantile, with the same share in red."""

    def result(n: int, ratio: float) -> HouseholdResult:
        return HouseholdResult(f"uuid:{n}", f"H{n}", "north", "female", "cocoa", "0-2 ha", {},
                               0.0, ratio, ratio, 1.0, 100.0, 0.0, 0.0, ratio < 100, 0.0, None,
                               None)  # fmt: skip

    few = income_vs_benchmark([result(n, 40.0 + n * 30) for n in range(5)])
    assert few.count("<rect") == 5 and few.count("#c62828") == 2  # 40 and 70 % are below
    many = [result(n, (n * 7_919) % 20_000 / 100) for n in range(20_000)]  # 0 to 200 %
    drawn = income_vs_benchmark(many)
    assert drawn.count("<rect") == MAX_BARS and len(drawn) < 40_000
    red = drawn.count("#c62828") / MAX_BARS
    assert red == pytest.approx(sum(1 for h in many if h.below) / len(many), abs=1 / MAX_BARS)

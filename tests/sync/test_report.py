"""The living income report over 24 synthetic households, checked by a separate computation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from report_support import HOUSEHOLDS, store_households

from sync.server.api.auth import add_user
from sync.server.app import ServerConfig, create_app, open_storage
from sync.server.exports.source import ExportFilter
from sync.server.report.build import report_for
from sync.server.report.charts import MAX_BARS, income_vs_benchmark
from sync.server.report.compute import Report
from sync.server.report.households import HouseholdResult
from sync.server.storage import Storage

pytestmark = pytest.mark.server_storage


@pytest.fixture(scope="module")
def storage(
    tmp_path_factory: pytest.TempPathFactory, shared_database: str | None
) -> tuple[Storage, Path]:
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


def expected_household(h: dict[str, Any]) -> dict[str, float]:
    without = 0.0
    for value in h["money"]:
        without += value
    total = without + h["own"]
    benchmark = h["bm"] * oecd(h["ages"]) / h["units"]
    gap = benchmark - total if total < benchmark else 0.0
    floor = total if total > 0 else 0.0
    return {"without": without, "total": total, "benchmark": benchmark, "gap": gap,
            "shortfall": (benchmark - floor) / benchmark}  # fmt: skip


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


def key(by: str, h: dict[str, Any]) -> str:
    """The household's group in a dimension, worked out apart from the report's code."""
    if by == "all":
        return "all households"
    return farm(h["ha"]) if by == "farm_class" else str(h[by])


DIMENSIONS = ("all", "head_sex", "district", "crop", "farm_class")


def test_every_number_matches_an_independent_computation(storage: tuple[Storage, Path]) -> None:
    report = report_for(storage[0], "living_income_household", ExportFilter())
    assert report.skipped == [] and len(report.households) == 24
    for h, got in zip(HOUSEHOLDS, report.households, strict=True):
        want = expected_household(h)
        assert got.income_without_own == pytest.approx(want["without"])
        assert got.income_total == pytest.approx(want["total"])
        assert got.benchmark == pytest.approx(want["benchmark"])
        assert got.benchmark_reference == h["bm"]
        assert got.gap == pytest.approx(want["gap"])
        assert got.shortfall == pytest.approx(want["shortfall"])
        assert got.below == (want["total"] < want["benchmark"])
        assert list(got.components.values()) == h["money"]
        assert got.benchmark_id == h["benchmark"]
    checked = 0
    for group in report.groups:
        members = [h for h in HOUSEHOLDS if key(group.by, h) == group.group
                   and h["benchmark"] == group.benchmark.id]  # fmt: skip
        figures = [expected_household(h) for h in members]
        n = len(members)
        assert group.n == n and group.small and group.currency == "XOF"
        assert group.benchmark.year == int(group.benchmark.id[-4:])
        below = 0
        fgt1 = fgt2 = 0.0
        for f in figures:
            if f["total"] < f["benchmark"]:
                below += 1
                fgt1 += f["shortfall"]
                fgt2 += f["shortfall"] ** 2
        incomes = [f["total"] for f in figures]
        benchmarks = [f["benchmark"] for f in figures]
        assert group.share_below_pct.value == pytest.approx(100 * below / n)
        assert group.fgt1 == pytest.approx(fgt1 / n)
        assert group.fgt2 == pytest.approx(fgt2 / n)
        assert group.mean_income.value == pytest.approx(sum(incomes) / n)
        assert group.median_income.value == pytest.approx(median(incomes))
        assert group.median_benchmark == pytest.approx(median(benchmarks))
        assert group.gap_median == pytest.approx(median(benchmarks) - median(incomes))
        assert group.gap_pct.value == pytest.approx(100 * median([f["shortfall"] for f in figures]))
        for estimate in (
            group.share_below_pct,
            group.mean_income,
            group.median_income,
            group.gap_pct,
        ):
            low, high = estimate.ci95
            assert low <= estimate.value <= high or n == 1
        main = sum(h["money"][0] for h in members)
        own = sum(h["own"] for h in members)
        other = sum(f["without"] for f in figures) - main
        assert group.composition_pct["main_crop"] == pytest.approx(
            100 * main / (main + other + own)
        )
        positive = sum(v for h in members for v in h["money"] if v > 0)
        women = sum(min(h["women"], sum(v for v in h["money"] if v > 0)) for h in members)
        assert group.women_share_pct == pytest.approx(100 * women / positive)
        module = [h["adequacy"] for h in members if h["adequacy"] is not None]
        if module:
            assert group.weai is not None and group.weai.women == len(module)
            for k, domain in enumerate(
                ["input", "assets", "credit", "income", "group", "workload"]
            ):
                assert group.weai.adequacy_pct[domain] == pytest.approx(
                    100 * sum(1 for a in module if a[k]) / len(module)
                )
        else:
            assert group.weai is None
        checked += 1
    pairs = {(by, key(by, h), h["benchmark"]) for by in DIMENSIONS for h in HOUSEHOLDS}
    assert checked == len(pairs) == len(report.groups)


def test_report_routes_are_for_supervisors_of_their_district(storage: tuple[Storage, Path]) -> None:
    store, data = storage
    tokens = {
        name: add_user(store, name, role, district)
        for name, role, district in [("sue", "supervisor", "north"), ("ann", "admin", None), ("amina", "enumerator", "north")]
    }  # fmt: skip
    client = TestClient(create_app(ServerConfig(data)))

    def get(path: str, user: str) -> Any:
        return client.get(path, headers={"Authorization": f"Bearer {tokens[user]}"})

    sue = get("/api/v1/report.json", "sue")
    assert sue.status_code == 200
    parsed = Report.model_validate(sue.json())
    assert {h.district for h in parsed.households} == {"north"}
    assert get("/api/v1/report.json?district=south", "sue").status_code == 403
    assert get("/api/v1/report.html", "amina").status_code == 403
    page = get("/api/v1/report.html", "ann")
    text = page.text
    assert page.status_code == 200 and text.count("<svg") == 3
    assert "<script" not in text and "http://" not in text.replace("http://www.w3.org/2000/svg", "")
    export = get("/api/v1/exports/living_income_household.csv?district=north", "sue")
    assert export.status_code == 404


def test_the_income_chart_of_many_households_draws_quantiles_not_a_bar_each() -> None:
    """100,000 households would be 100,000 rectangles (about 10 MB of SVG) in the report and
    on the report screen; past MAX_BARS each bar is a quantile, with the same share in red."""

    def result(n: int, ratio: float) -> HouseholdResult:
        return HouseholdResult(f"uuid:{n}", f"H{n}", "north", "female", "cocoa", "0-2 ha", "b",
                               1.0, {}, 0.0, ratio, ratio, 1.0, 100.0, 100.0, 0.0, 0.0,
                               ratio < 100, 0.0, 0.0, None, None)  # fmt: skip

    few = income_vs_benchmark([result(n, 40.0 + n * 30) for n in range(5)])
    assert few.count("<rect") == 5 and few.count("#c62828") == 2  # 40 and 70 % are below
    many = [result(n, (n * 7_919) % 20_000 / 100) for n in range(20_000)]  # 0 to 200 %
    drawn = income_vs_benchmark(many)
    assert drawn.count("<rect") == MAX_BARS and len(drawn) < 40_000
    red = drawn.count("#c62828") / MAX_BARS
    assert red == pytest.approx(sum(1 for h in many if h.below) / len(many), abs=1 / MAX_BARS)

"""Income driver scenarios over 100,000 households (issue #19, item 7), from the report rows
kept at ingestion (no XML is read).

The households are drawn with a seeded generator (four districts, a third female-headed,
0.3–5 ha of cocoa at 150–1,200 kg/ha and 1,000–2,200 XOF/kg, costs, other income, one in
fifty without a productive area) and written as report rows to a fresh server data folder,
as ingestion writes them. Measured: the report over them; the drivers read from the rows;
one scenario with the report's 95 % intervals for every group (all households, sex of the
head, district, crop, farm size); five scenarios in one run (a group's bootstrap draws serve
them all); the sensitivity table (each driver ±10 % and ±25 %).

Baseline, in the same run: a plain Python loop over the households computing each group's
share below, median shortfall, FGT1 and households crossing for the same scenario, written
here apart from the library's code. Before any timing is reported, the library's figures
must equal the baseline's (within 1e-9), or the run stops. Goal: at most 2 s per scenario.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from pathlib import Path

from sync.server.app import open_storage
from sync.server.exports.source import ExportFilter
from sync.server.report.build import report_for
from sync.server.report.compute import DIMENSIONS, Report
from sync.server.report.driver_limits import shipped_limits
from sync.server.report.drivers import CropFigures
from sync.server.report.household import COMPONENTS, HouseholdIncome
from sync.server.report.index import crop_rows, household_row, write_rows
from sync.server.report.scenario_groups import (
    ScenarioGroup,
    run_scenarios,
    segments,
    sensitivity,
)
from sync.server.report.scenarios import DriverColumns, Scenario
from sync.server.storage import SubmissionRecord

COUNT = 100_000
FORM = "living_income_household"
GOAL_S = 2.0
SCENARIO = Scenario(name="fair price and yield", price_pct=20, yield_pct=15)
FIVE = [SCENARIO, Scenario(name="cost", cost_pct=-10), Scenario(name="area", area_ha=0.5),
        Scenario(name="other", other_income=300_000), Scenario(name="price", price_pct=10)]  # fmt: skip


def household(n: int, rng: random.Random) -> tuple[HouseholdIncome, CropFigures]:
    area = 0.0 if n % 50 == 0 else rng.uniform(0.3, 5.0)
    kg = area * rng.uniform(150, 1200)
    value = kg * rng.uniform(1000, 2200)
    costs = area * rng.uniform(20_000, 250_000)
    other = rng.uniform(0, 1_500_000)
    main = value - costs if area else 0.0
    components = dict.fromkeys(COMPONENTS, 0.0) | {"main_crop": main, "wages": other}
    ages = (45, 40, 16, 9, 4)[: 1 + n % 5]
    record = HouseholdIncome(
        f"uuid:b-{n}", f"B{n}", ("north", "south", "east", "west")[n % 4],
        "female" if n % 3 == 0 else "male", "cocoa", area, ages, 3_887_292, 2.7, components,
        0.0, 0.0, None, benchmark="ci_cocoa_2024",
    )  # fmt: skip
    return record, CropFigures("ci", area, kg, kg, value, 0.0, 0.0, costs)


def store(data: Path, count: int) -> None:
    """The households as report rows, in batches, as ingestion and the backfill write them."""
    storage, _ = open_storage(data)
    rng = random.Random(19)
    rows = []
    for n in range(count):
        h, crop = household(n, rng)
        submission = SubmissionRecord(h.instance_id, FORM, "1", "", "", None, None,
                                      "2026-02-01T00:00:00", "amina", h.region, None)  # fmt: skip
        rows.append(household_row(submission, n + 1, h, crop))
        if len(rows) == 5000:
            write_rows(storage, rows, [])
            rows = []
    write_rows(storage, rows, [])


def baseline(report: Report, crops: dict[str, tuple[CropFigures, int]], s: Scenario) -> dict[tuple[str, str], tuple[float, float, float, int]]:  # fmt: skip
    """Per (dimension, group): share below %, median shortfall %, FGT1, households crossing,
    by a plain loop (every weight is 1 here)."""
    found: dict[tuple[str, str], list[tuple[bool, float, bool]]] = {}
    for h in report.households:
        f = crops[h.instance_id][0]
        income = h.income_total + s.other_income
        if f.area_ha > 0 and f.harvest_kg > 0 and f.value > 0:
            scale = max(f.area_ha * (1 + s.area_pct / 100) + s.area_ha, 0.0) / f.area_ha
            grown = scale * (1 + s.yield_pct / 100) * (1 + s.price_pct / 100)
            income += (f.value - f.share_paid) * (grown - 1)
            income -= f.costs * (scale * (1 + s.cost_pct / 100) - 1)
        short = (h.benchmark - max(income, 0.0)) / h.benchmark
        below = income < h.benchmark
        crossed = h.income_total < h.benchmark and not below
        for by, key in DIMENSIONS.items():
            found.setdefault((by, key(h)), []).append((below, short, crossed))
    return {
        group: (
            sum(b for b, _, _ in rows) / len(rows) * 100,
            statistics.median(s for _, s, _ in rows) * 100,
            sum(max(s, 0.0) for _, s, _ in rows) / len(rows),
            sum(c for _, _, c in rows),
        )
        for group, rows in found.items()
    }


def check(groups: list[ScenarioGroup], plain: dict[tuple[str, str], tuple[float, float, float, int]]) -> None:  # fmt: skip
    for g in groups:
        want = plain[g.by, g.group]
        got = (g.share_below_pct.value, g.gap_pct.value, g.fgt1, g.crossing)
        if any(abs(a - b) > 1e-9 * max(1.0, abs(b)) for a, b in zip(got, want, strict=True)):
            raise SystemExit(f"scenario figures differ from the baseline in {g.by}/{g.group}")


def timed(action: object) -> tuple[float, object]:
    start = time.perf_counter()
    result = action() if callable(action) else None
    return time.perf_counter() - start, result


def run(count: int = COUNT) -> str:
    with tempfile.TemporaryDirectory(prefix="bench-scenarios-") as name:
        data = Path(name)
        stored, _ = timed(lambda: store(data, count))
        storage, _ = open_storage(data)
        chosen = ExportFilter(states=("received",))
        report_s, report = timed(lambda: report_for(storage, FORM, chosen))
        assert isinstance(report, Report)
        read_s, crops = timed(lambda: crop_rows(storage, FORM))
        assert isinstance(crops, dict)
        figures = {i: f for i, (f, _) in crops.items()}
        columns_s, columns = timed(
            lambda: DriverColumns.of(report.households, figures, shipped_limits())
        )
        assert isinstance(columns, DriverColumns)
    groups = segments(report.households, {"ci_cocoa_2024": "XOF"})
    base_s, plain = timed(lambda: baseline(report, crops, SCENARIO))
    one_s, one = timed(lambda: run_scenarios(columns, groups, [SCENARIO], report.seed))
    five_s, five = timed(lambda: run_scenarios(columns, groups, FIVE, report.seed))
    assert isinstance(plain, dict) and isinstance(one, list) and isinstance(five, list)
    check(one[0].groups, plain)
    check(five[0].groups, plain)
    sens_s, _ = timed(lambda: sensitivity(columns, groups))
    per_scenario = five_s / len(FIVE)
    rows = [
        ("baseline: plain Python loop, one scenario, figures without intervals", base_s, "–"),
        ("one scenario, every group, with 95 % intervals", one_s, f"{base_s / one_s:.2f}x"),
        (f"{len(FIVE)} scenarios in one run, per scenario", per_scenario,
         f"{base_s / per_scenario:.2f}x"),
        ("sensitivity: 5 drivers × 4 steps, every group (no intervals)", sens_s,
         f"{base_s / sens_s:.1f}x"),
    ]  # fmt: skip
    table = "\n".join(f"| {what} | {s:.2f} | {ratio} |" for what, s, ratio in rows)
    met = "met" if max(one_s, per_scenario) <= GOAL_S else "NOT met"
    return (
        f"{count:,} households (drawn with a fixed seed; {len(groups)} groups over 5"
        f" dimensions) stored as report rows in {stored:.1f} s; the report over them"
        f" {report_s:.1f} s; their drivers read from the rows in {read_s:.2f} s and put in"
        f" columns in {columns_s:.2f} s. Every scenario's figures equal the baseline's.\n\n"
        "| what | seconds | speed vs baseline |\n|---|---|---|\n"
        f"{table}\n\nGoal ≤ {GOAL_S:g} s per scenario: {met} (one alone {one_s:.2f} s,"
        f" {per_scenario:.2f} s each of {len(FIVE)})."
    )

"""Income drivers of a report's households, put together: each group's drivers and what
closes its gap, the sensitivity to each driver, named scenarios side by side, and the
households whose drivers cannot be computed, with the reason (issue #19).

The households are the report's own (same population, same benchmarks, same weights), so the
figures sit beside the report's and a scenario without change repeats them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict

from sync.server.report.benchmarks import Benchmark
from sync.server.report.closing import (
    HouseholdNeeds,
    SegmentDrivers,
    household_needs,
    segment_drivers,
)
from sync.server.report.compute import Report
from sync.server.report.driver_limits import DriverLimit, DriverLimits, load_limits
from sync.server.report.drivers import CropFigures, Drivers, drivers, missing
from sync.server.report.estimates import Array
from sync.server.report.index import crop_rows
from sync.server.report.scenario_groups import (
    ScenarioResult,
    Sensitivity,
    run_scenarios,
    segments,
    sensitivity,
)
from sync.server.report.scenarios import DriverColumns, Scenario
from sync.server.storage import Storage

FIGURES = ("area_ha", "yield_kg_ha", "price", "cost_per_ha", "cost_per_kg", "other_income",
           "members", "equivalence_units", "benchmark")  # fmt: skip
"""The drivers summarised per group, as `Drivers` names them."""


class MissingDrivers(BaseModel):
    model_config = ConfigDict(frozen=True)

    instance_id: str
    household_id: str
    district: str
    reason: str


class DriverAnalysis(BaseModel):
    model_config = ConfigDict(frozen=True)

    households: int
    limits: list[DriverLimit]
    """The plausible limits in force (per country and crop)."""
    missing: list[MissingDrivers]
    missing_by_reason: dict[str, int]
    segments: list[SegmentDrivers]
    sensitivity: list[Sensitivity]
    scenarios: list[ScenarioResult]
    below: list[HouseholdNeeds] = []
    """Per household below its benchmark, what one driver alone would need (asked for)."""
    benchmark_names: dict[str, str] = {}
    """Each benchmark's label as the report's group tables write it: "place year (id)"."""


def analyse(
    report: Report,
    crops: Mapping[str, tuple[CropFigures, int]],
    limits: DriverLimits,
    scenarios: Sequence[Scenario] = (),
    per_household: bool = False,
) -> DriverAnalysis:
    """`crops`: each household's main crop figures and member count, by instanceID;
    `per_household`: list what closes each household's gap too (`below`)."""
    empty = (CropFigures(), 0)
    figures = {h.instance_id: crops.get(h.instance_id, empty)[0] for h in report.households}
    columns = DriverColumns.of(report.households, figures, limits)
    groups = segments(report.households, {b.id: b.currency for b in report.benchmarks})
    each: list[Drivers] = []
    lost: list[MissingDrivers] = []
    for h in report.households:
        f, members = crops.get(h.instance_id, empty)
        each.append(drivers(f, h.income_total, members, h.equivalence_units, h.benchmark))
        why = missing(f)
        if why is not None:
            lost.append(MissingDrivers(instance_id=h.instance_id, household_id=h.household_id,
                                       district=h.district, reason=why))  # fmt: skip
    table: dict[str, Array] = {
        name: np.array([_or_nan(getattr(d, name)) for d in each], dtype=np.float64)
        for name in FIGURES
    }
    reasons: dict[str, int] = {}
    for m in lost:
        reasons[m.reason] = reasons.get(m.reason, 0) + 1
    return DriverAnalysis(
        households=len(report.households),
        limits=limits.limits,
        missing=lost,
        missing_by_reason=reasons,
        segments=segment_drivers(columns, groups, table),
        sensitivity=sensitivity(columns, groups),
        scenarios=run_scenarios(columns, groups, scenarios, report.seed),
        below=household_needs(columns, report.households) if per_household else [],
        benchmark_names={b.id: benchmark_name(b) for b in report.benchmarks},
    )


def benchmark_name(b: Benchmark) -> str:
    """As the report's group tables name a benchmark (`html.named`)."""
    old = f", superseded by {b.superseded_by}" if b.superseded_by else ""
    return f"{b.place} {b.year} ({b.id}{old})"


def _or_nan(value: float | None) -> float:
    return float("nan") if value is None else float(value)


def analysis_for(
    storage: Storage,
    report: Report,
    scenarios: Sequence[Scenario] = (),
    per_household: bool = False,
) -> DriverAnalysis:
    """The analysis of a report built from storage, with the project's limits."""
    crops = crop_rows(storage, report.form_id)
    return analyse(report, crops, load_limits(storage), scenarios, per_household)


def report_json(report: Report, drivers: DriverAnalysis) -> str:
    """The report as JSON with the drivers' analysis beside it: `drivers` (groups, what closes
    the gap, sensitivity, households without drivers) and `scenarios`, each with its changes
    and per-group results."""
    whole = report.model_dump(mode="json")
    analysis = drivers.model_dump(mode="json")
    whole["scenarios"] = analysis.pop("scenarios")
    whole["drivers"] = analysis
    return json.dumps(whole, indent=1)

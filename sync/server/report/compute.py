"""The living income indicators, with the formulas of the LICOP / KIT guidance (see forms/library/README.md)."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from sync.server.report.household import COMPONENTS, DOMAINS, HouseholdIncome

WEIGHTS = {
    "input": 1 / 5, "assets": 2 / 15, "credit": 1 / 15,
    "income": 1 / 5, "group": 1 / 5, "workload": 1 / 5,
}  # fmt: skip
"""A-WEAI domain weights; empowered = adequate in at least 80% of the weighted indicators."""
EMPOWERED_AT = 0.8
FARM_CLASSES = (2.0, 4.0)
"""Upper bounds (ha) of the farm-size classes; the last class is open."""


class Model(BaseModel):
    model_config = ConfigDict(frozen=True)


def equivalence_units(ages: Sequence[int]) -> float:
    """OECD-modified: 1 for the first adult, 0.5 per other member aged 14+, 0.3 per child.
    A household without an adult counts its first child as 1 (as the questionnaire does)."""
    adults = sum(1 for a in ages if a >= 14)
    children = len(ages) - adults
    if adults:
        return 1 + 0.5 * (adults - 1) + 0.3 * children
    return 1 + 0.3 * (children - 1) if children else 0.0


def farm_class(hectares: float, bounds: Sequence[float] = FARM_CLASSES) -> str:
    low = 0.0
    for bound in bounds:
        if hectares <= bound:
            return f"{low:g}-{bound:g} ha"
        low = bound
    return f"> {low:g} ha"


@dataclass(frozen=True, slots=True)
class HouseholdResult:
    """A plain slotted dataclass: a report holds one per household (100,000 and more)."""

    instance_id: str
    household_id: str
    region: str
    head_sex: str
    crop: str
    farm_class: str
    components: dict[str, float]
    own_consumption: float
    income_without_own: float
    income_total: float
    equivalence_units: float
    benchmark: float
    gap: float
    gap_pct: float
    below: bool
    women_income: float
    adequacy: dict[str, bool] | None
    empowerment_score: float | None


def household_result(h: HouseholdIncome) -> HouseholdResult | None:
    """None when the household has no usable benchmark (no reference units or members)."""
    units = equivalence_units(h.member_ages)
    if h.benchmark_units <= 0 or h.benchmark_value <= 0 or units <= 0:
        return None
    without_own = sum(h.components[c] for c in COMPONENTS)
    total = without_own + h.own_consumption
    benchmark = h.benchmark_value * units / h.benchmark_units
    gap = max(0.0, benchmark - total)
    score = None
    if h.adequacy is not None:
        score = sum(WEIGHTS[d] for d in DOMAINS if h.adequacy.get(d))
    return HouseholdResult(
        instance_id=h.instance_id,
        household_id=h.household_id,
        region=h.region,
        head_sex=h.head_sex,
        crop=h.crop,
        farm_class=farm_class(h.farm_ha),
        components=dict(h.components),
        own_consumption=h.own_consumption,
        income_without_own=without_own,
        income_total=total,
        equivalence_units=units,
        benchmark=benchmark,
        gap=gap,
        gap_pct=gap / benchmark * 100,
        below=total < benchmark,
        women_income=h.women_income,
        adequacy=h.adequacy,
        empowerment_score=score,
    )


class GroupResult(Model):
    by: str
    group: str
    households: int
    share_below_pct: float
    mean_income: float
    median_income: float
    mean_benchmark: float
    median_benchmark: float
    gap_mean: float
    """Mean benchmark − mean income."""
    gap_median: float
    """Median benchmark − median income (the gap on the aggregates)."""
    fgt1: float
    """Mean of max(0, (benchmark − income) / benchmark)."""
    fgt2: float
    """Mean of the square of the same."""
    composition_pct: dict[str, float]
    """Main crop / other income / own consumption, as % of total income summed over the group."""
    component_means: dict[str, float]
    women_share_pct: float | None
    """Women-controlled income ÷ income without own consumption, both summed over the group."""
    women_module: int
    adequacy_pct: dict[str, float]
    mean_empowerment_score: float | None
    empowered_pct: float | None


def group_result(by: str, group: str, rows: Sequence[HouseholdResult]) -> GroupResult:
    n = len(rows)
    incomes = [r.income_total for r in rows]
    benchmarks = [r.benchmark for r in rows]
    shortfalls = [max(0.0, (r.benchmark - r.income_total) / r.benchmark) for r in rows]
    main = sum(r.components["main_crop"] for r in rows)
    own = sum(r.own_consumption for r in rows)
    other = sum(r.income_without_own for r in rows) - main
    whole = main + other + own
    composition = {
        "main_crop": main / whole * 100 if whole else 0.0,
        "other": other / whole * 100 if whole else 0.0,
        "own_consumption": own / whole * 100 if whole else 0.0,
    }
    means = {c: sum(r.components[c] for r in rows) / n for c in COMPONENTS}
    means["own_consumption"] = own / n
    earned = sum(r.income_without_own for r in rows)
    module = [r for r in rows if r.adequacy is not None]
    scores = [r.empowerment_score for r in module if r.empowerment_score is not None]
    return GroupResult(
        by=by,
        group=group,
        households=n,
        share_below_pct=sum(1 for r in rows if r.below) / n * 100,
        mean_income=statistics.fmean(incomes),
        median_income=statistics.median(incomes),
        mean_benchmark=statistics.fmean(benchmarks),
        median_benchmark=statistics.median(benchmarks),
        gap_mean=statistics.fmean(benchmarks) - statistics.fmean(incomes),
        gap_median=statistics.median(benchmarks) - statistics.median(incomes),
        fgt1=statistics.fmean(shortfalls),
        fgt2=statistics.fmean(s * s for s in shortfalls),
        composition_pct=composition,
        component_means=means,
        women_share_pct=sum(r.women_income for r in rows) / earned * 100 if earned > 0 else None,
        women_module=len(module),
        adequacy_pct={
            d: sum(1 for r in module if r.adequacy and r.adequacy.get(d)) / len(module) * 100
            for d in DOMAINS
        }
        if module
        else {},
        mean_empowerment_score=statistics.fmean(scores) if scores else None,
        empowered_pct=sum(1 for s in scores if s >= EMPOWERED_AT - 1e-9) / len(scores) * 100
        if scores
        else None,
    )


DIMENSIONS: dict[str, Callable[[HouseholdResult], str]] = {
    "all": lambda r: "all households",
    "head_sex": lambda r: r.head_sex,
    "region": lambda r: r.region,
    "crop": lambda r: r.crop,
    "farm_class": lambda r: r.farm_class,
}


class Report(Model):
    form_id: str
    households: list[HouseholdResult]
    skipped: list[str]
    """instanceIDs left out: no usable benchmark or household size."""
    groups: list[GroupResult]


def build_report(form_id: str, records: Iterable[HouseholdIncome]) -> Report:
    """`records` may be a generator: each is dropped once its result is computed."""
    results, skipped = [], []
    for record in records:
        result = household_result(record)
        if result is None:
            skipped.append(record.instance_id)
        else:
            results.append(result)
    groups = []
    for by, key in DIMENSIONS.items():
        members: dict[str, list[HouseholdResult]] = {}
        for r in results:
            members.setdefault(key(r), []).append(r)
        groups += [group_result(by, name, rows) for name, rows in sorted(members.items())]
    return Report(form_id=form_id, households=results, skipped=skipped, groups=groups)

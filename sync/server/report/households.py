"""Each household's figures against its benchmark (KIT/COSA "Guidance on calculating household
income", 2020: net annual income of all members from all sources, own consumption kept
apart; LICOP "Guidance manual on calculating and visualizing the income gap to a Living
Income Benchmark", 2020: the benchmark adjusted to the household's size).

The benchmark is for a reference household (e.g. 6 members, 2.7 equivalence units in
Côte d'Ivoire's cocoa areas). The report compares each household with the benchmark
scaled linearly by its equivalence units (benchmark × household units ÷ reference units,
as the questionnaire does) and also with the reference household's benchmark as
published; the linear scaling also scales fixed costs such as housing, which is why both
are shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sync.server.report.benchmarks import Benchmark
from sync.server.report.household import COMPONENTS, DOMAINS, HouseholdIncome

FARM_CLASSES = (2.0, 4.0)
"""Upper bounds (ha) of the farm-size classes; the last class is open."""


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


_PATTERNS: dict[str, str] = {}


def flags(adequacy: dict[str, bool] | None) -> str | None:
    """Adequacy per domain as a shared string of `1` and `0` in DOMAINS order."""
    if adequacy is None:
        return None
    pattern = "".join("1" if adequacy.get(d) else "0" for d in DOMAINS)
    return _PATTERNS.setdefault(pattern, pattern)


@dataclass(frozen=True, slots=True)
class HouseholdResult:
    """A plain slotted dataclass: a report holds one per household (100,000 and more)."""

    instance_id: str
    household_id: str
    district: str
    head_sex: str
    crop: str
    farm_class: str
    benchmark_id: str
    weight: float
    components: dict[str, float]
    own_consumption: float
    income_without_own: float
    income_total: float
    equivalence_units: float
    benchmark_reference: float
    """The reference household's benchmark (brought to the survey year by the price factor)."""
    benchmark: float
    """Adjusted to the household's size: reference × household units ÷ reference units."""
    gap: float
    """Adjusted benchmark − income when positive, else 0 (in the currency)."""
    shortfall: float
    """(benchmark − max(income, 0)) ÷ benchmark: at most 1; negative above the benchmark."""
    below: bool
    women_income: float
    """Women-controlled income, bounded to 0 and to `income_positive`."""
    income_positive: float
    """The income of the sources that made money (own consumption apart): the form's, summed
    source by source, or without it the sum of the components above 0."""
    adequacy: str | None
    """The woman's A-WEAI adequacy, a `1` or `0` per domain in DOMAINS order (one shared
    string per pattern, not a dict per household); None without the women's module."""
    men_adequacy: str | None
    """The same for the man of a dual-adult household."""


def household_result(h: HouseholdIncome, benchmark: Benchmark) -> HouseholdResult | None:
    """None when the household has no usable benchmark, household size or weight."""
    units = equivalence_units(h.member_ages)
    if h.benchmark_units <= 0 or h.benchmark_value <= 0 or units <= 0 or h.weight <= 0:
        return None
    without_own = sum(h.components[c] for c in COMPONENTS)
    total = without_own + h.own_consumption
    reference = h.benchmark_value * benchmark.price_factor
    adjusted = reference * units / h.benchmark_units
    positive = max(
        h.income_positive
        if h.income_positive is not None
        else sum(max(0.0, h.components[c]) for c in COMPONENTS),
        0.0,
    )
    return HouseholdResult(
        instance_id=h.instance_id,
        household_id=h.household_id,
        district=h.region,
        head_sex=h.head_sex,
        crop=h.crop,
        farm_class=farm_class(h.farm_ha),
        benchmark_id=benchmark.id,
        weight=1.0 if h.weight == 1.0 else h.weight,  # one shared float for the usual weight
        components=dict(h.components),
        own_consumption=h.own_consumption,
        income_without_own=without_own,
        income_total=total,
        equivalence_units=units,
        benchmark_reference=reference,
        benchmark=adjusted,
        gap=max(0.0, adjusted - total),
        shortfall=(adjusted - max(total, 0.0)) / adjusted,
        below=total < adjusted,
        women_income=min(max(h.women_income, 0.0), positive),
        income_positive=positive,
        adequacy=flags(h.adequacy),
        men_adequacy=flags(h.men_adequacy),
    )

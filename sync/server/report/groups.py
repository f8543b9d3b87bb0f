"""A group's figures: the households of one group (all, sex of the head, district, crop, farm
size) that share one benchmark, so one currency and one year.

Definitions (LICOP / KIT "Guidance manual on calculating and visualizing the income gap to
a Living Income Benchmark", 2020, sections on the gap and the FGT indices; KIT's
`kit_livingincome` Stata toolkit for the same indicators):

- share below: the weighted share of households whose total net income (own consumption
  included) is below their size-adjusted benchmark; `share_below_reference_pct` compares
  with the benchmark of the reference household instead (no size adjustment);
- shortfall: (benchmark − max(income, 0)) ÷ benchmark, so a net loss counts as no income
  and a shortfall never exceeds 1 (KIT/COSA "Guidance on calculating household income",
  2020, on negative incomes); negative for a household above the benchmark;
- gap: the weighted median shortfall in % of the benchmark. Positive: the median household
  lacks that share of its benchmark; negative: it earns that much above it;
- FGT1 / FGT2: the weighted mean of the shortfall (0 above the benchmark) and of its square;
- households with a negative net income are counted apart (`negative_income`);
- women's share: the income women control (a source decided jointly: half), over the
  income of the sources that made money, each crop, animal and income source on its own
  (the questionnaire's `income_positive`, own consumption apart). Each household's women
  income is bounded to 0 and to that sum; the group's share is the weighted sum of women
  incomes over the weighted sum of positive incomes, so 0–100 %, and the interview's
  summary shows the same figure for one household. Source by source, not net of other
  sources: A-WEAI asks who controls the income of each activity (IFPRI, A-WEAI
  instructional guide, 2015) and KIT's guidance keeps a loss as no income rather than a
  negative share, so a woman's profitable crop is not diluted or wiped out because a man's
  crop lost money. A form mapping without `income_positive` falls back to the positive
  components (a loss of one other crop then offsets another's profit).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict

from sync.server.report.benchmarks import Benchmark
from sync.server.report.estimates import Array, Estimate, bootstrap, dot, rng_for, weighted_mean
from sync.server.report.estimates import weighted_median as median
from sync.server.report.household import COMPONENTS, DOMAINS
from sync.server.report.households import HouseholdResult
from sync.server.report.weai import Weai, weai

SMALL = 30
"""Groups of fewer households are marked: their estimates are fragile."""
BANDS = (("net loss", -np.inf, 0.0), ("0-50 %", 0.0, 0.5), ("50-75 %", 0.5, 0.75),
         ("75-100 %", 0.75, 1.0), ("≥ 100 %", 1.0, np.inf))  # fmt: skip
"""Income as a share of the adjusted benchmark: [low, high)."""
SOURCES = (*COMPONENTS, "own_consumption")


@dataclass(frozen=True)
class Columns:
    """The households' figures as arrays (a row per household), built once for every group."""

    weight: Array
    income: Array
    adjusted: Array
    reference: Array
    shortfall: Array
    per_adult_equivalent: Array
    women_income: Array
    positive: Array
    """Each household's income of the sources that made money (`income_positive`)."""
    sources: Array
    """A column per SOURCES entry."""
    women: NDArray[np.bool_]
    """Adequacy per domain (a column per DOMAINS entry); False where not interviewed."""
    men: NDArray[np.bool_]
    interviewed: NDArray[np.bool_]
    dual: NDArray[np.bool_]

    @classmethod
    def of(cls, rows: Sequence[HouseholdResult]) -> Columns:
        def column(values: list[float]) -> Array:
            return np.array(values, dtype=np.float64)

        def flags(found: list[str | None]) -> NDArray[np.bool_]:
            text = "".join(a or "0" * len(DOMAINS) for a in found)
            return np.asarray(np.frombuffer(text.encode("ascii"), dtype=np.uint8) == ord("1"))

        return cls(
            weight=column([r.weight for r in rows]),
            income=column([r.income_total for r in rows]),
            adjusted=column([r.benchmark for r in rows]),
            reference=column([r.benchmark_reference for r in rows]),
            shortfall=column([r.shortfall for r in rows]),
            per_adult_equivalent=column([r.income_total / r.equivalence_units for r in rows]),
            women_income=column([r.women_income for r in rows]),
            positive=column([r.income_positive for r in rows]),
            sources=np.fromiter(
                (
                    v
                    for r in rows
                    for v in (*map(r.components.__getitem__, COMPONENTS), r.own_consumption)
                ),
                dtype=np.float64,
                count=len(rows) * len(SOURCES),
            ).reshape(len(rows), len(SOURCES)),
            women=flags([r.adequacy for r in rows]).reshape(len(rows), len(DOMAINS)),
            men=flags([r.men_adequacy for r in rows]).reshape(len(rows), len(DOMAINS)),
            interviewed=np.array([r.adequacy is not None for r in rows], dtype=bool),
            dual=np.array(
                [r.adequacy is not None and r.men_adequacy is not None for r in rows], dtype=bool
            ),
        )


class Central(BaseModel):
    model_config = ConfigDict(frozen=True)

    mean: float
    median: float


class GroupResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    by: str
    group: str
    benchmark: Benchmark
    currency: str
    n: int
    small: bool
    """Fewer than SMALL households."""
    weight: float
    """The sum of the households' sample weights."""
    share_below_pct: Estimate
    share_below_reference_pct: float
    mean_income: Estimate
    median_income: Estimate
    gap_pct: Estimate
    """Median shortfall in % of the benchmark: positive below it, negative above it."""
    mean_benchmark: float
    median_benchmark: float
    gap_median: float
    """Median adjusted benchmark − median income, in the currency."""
    fgt1: float
    fgt2: float
    negative_income: int
    income_per_adult_equivalent: Central
    sources: dict[str, Central]
    composition_pct: dict[str, float]
    distribution_pct: dict[str, float]
    women_share_pct: float | None
    weai: Weai | None


def group_result(
    by: str, group: str, benchmark: Benchmark, all_rows: Columns, rows: NDArray[np.intp], seed: int
) -> GroupResult:
    """The figures of the households at `rows` (indices into `all_rows`)."""
    w, income, adjusted = all_rows.weight[rows], all_rows.income[rows], all_rows.adjusted[rows]
    shortfall = all_rows.shortfall[rows]
    below = (income < adjusted).astype(np.float64)
    ratio = income / adjusted
    ci = bootstrap(w, {"below": below, "mean": income}, {"median": income, "gap": shortfall},
                   rng_for(f"{by}/{group}/{benchmark.id}", seed))  # fmt: skip
    poverty = np.maximum(shortfall, 0.0)
    sources = all_rows.sources[rows]
    totals = np.einsum("ij,i->j", sources, w)
    main, own = float(totals[0]), float(totals[-1])
    other = float(totals[1:-1].sum())
    whole = main + other + own
    positive = dot(all_rows.positive[rows], w)
    per_ae = all_rows.per_adult_equivalent[rows]
    women = all_rows.interviewed[rows]
    middle, middle_benchmark = median(income, w), median(adjusted, w)
    return GroupResult(
        by=by,
        group=group,
        benchmark=benchmark,
        currency=benchmark.currency,
        n=len(rows),
        small=len(rows) < SMALL,
        weight=float(w.sum()),
        share_below_pct=_percent(weighted_mean(below, w), ci["below"]),
        share_below_reference_pct=weighted_mean(
            (income < all_rows.reference[rows]).astype(np.float64), w
        ) * 100,
        mean_income=Estimate(value=weighted_mean(income, w), ci95=ci["mean"]),
        median_income=Estimate(value=middle, ci95=ci["median"]),
        gap_pct=_percent(median(shortfall, w), ci["gap"]),
        mean_benchmark=weighted_mean(adjusted, w),
        median_benchmark=middle_benchmark,
        gap_median=middle_benchmark - middle,
        fgt1=weighted_mean(poverty, w),
        fgt2=weighted_mean(poverty * poverty, w),
        negative_income=int((income < 0).sum()),
        income_per_adult_equivalent=Central(mean=weighted_mean(per_ae, w), median=median(per_ae, w)),
        sources={c: Central(mean=weighted_mean(sources[:, k], w), median=median(sources[:, k], w))
                 for k, c in enumerate(SOURCES)},
        composition_pct={k: v / whole * 100 if whole else 0.0
                         for k, v in (("main_crop", main), ("other", other), ("own_consumption", own))},
        distribution_pct={label: weighted_mean(((ratio >= low) & (ratio < high)).astype(np.float64), w) * 100
                          for label, low, high in BANDS},
        women_share_pct=dot(all_rows.women_income[rows], w) / positive * 100 if positive > 0 else None,
        weai=weai(all_rows.women[rows][women], w[women], all_rows.men[rows][women],
                  all_rows.dual[rows][women]),
    )  # fmt: skip


def _percent(value: float, interval: tuple[float, float]) -> Estimate:
    return Estimate(value=value * 100, ci95=(interval[0] * 100, interval[1] * 100))

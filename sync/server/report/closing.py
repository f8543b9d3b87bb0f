"""Per group: the spread of each driver, and what would close the gap.

What closes a household's gap (its adjusted benchmark − its income), one driver alone,
holding the rest (IDH's Income Driver Calculator asks the same of one typical household):

- price or yield: + gap ÷ (value of the produce sold or kept, less the sharecropper's share),
  in %; the same percent for both, since the value is proportional to each;
- area: gap ÷ the net margin per ha (that value less the costs, per ha), in ha; none when
  a hectare more earns nothing;
- cost cut: gap ÷ the costs, in % of them; none beyond 100 %;
- other income: the gap itself, per year.

A change is "within reach" when the new price, yield or area, the cut or the extra income
stays within the plausible limits of the household's country and crop (`driver_limits`).
Where no limit is set for that driver, country and crop, the change is "not assessed" (never
within reach): the share within reach is taken over the assessed households only and says
over how many, and which places lacked a limit. Only households below their benchmark need a
change; a driver that cannot close a household's gap alone (no drivers, no costs, a hectare
that loses money) is assessed as "cannot close alone", its required change infinite, so a
median past the half of the group that cannot says so (JSON null).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict

from sync.server.report.estimates import Array, weighted_mean
from sync.server.report.estimates import weighted_median as median
from sync.server.report.households import HouseholdResult
from sync.server.report.scenario_groups import Segment
from sync.server.report.scenarios import DriverColumns

QUARTILES = (0.25, 0.5, 0.75)
LEVERS = ("price", "yield", "area", "cost", "other_income")
UNITS = {"price": "%", "yield": "%", "area": "ha", "cost": "% cut", "other_income": "per year"}


def quantiles(values: Array, weights: Array) -> list[float] | None:
    """Weighted quartiles: the first value whose cumulative weight reaches each quarter."""
    keep = ~np.isnan(values)
    if not keep.any():
        return None
    order = np.argsort(values[keep], kind="stable")
    ranked, cumulative = values[keep][order], np.cumsum(weights[keep][order])
    at = np.searchsorted(cumulative, np.array(QUARTILES) * cumulative[-1] * (1 - 1e-12))
    return [float(ranked[min(int(i), len(ranked) - 1)]) for i in at]


class Lever(BaseModel):
    model_config = ConfigDict(frozen=True)

    median_change: float | None
    """The weighted median required change among households below (None: it cannot close
    the gap alone for half of them or more)."""
    within_reach_pct: float | None
    """Weighted share of the assessed households below for which it stays within the limits
    (None: none assessed)."""
    assessed: int
    """Households below with a limit for this driver, or that it cannot close alone."""
    cannot_close: int
    """Households below whose gap this driver alone cannot close."""
    no_limit_for: list[str]
    """The country/crop places of the households below not assessed (no limit set)."""


class SegmentDrivers(BaseModel):
    model_config = ConfigDict(frozen=True)

    by: str
    group: str
    benchmark_id: str
    currency: str
    n: int
    with_drivers: int
    share_below_pct: float
    gap_pct: float
    quartiles: dict[str, list[float] | None]
    """Each driver's weighted 25th, 50th and 75th percentiles (None: no household has it)."""
    below: int
    closing: dict[str, Lever]


def required(c: DriverColumns) -> dict[str, tuple[Array, NDArray[np.bool_], NDArray[np.bool_]]]:
    """Per lever: each household's required change alone, whether it is within reach, and
    whether that is assessed (a limit is set, or the driver cannot close the gap alone)."""
    gap = np.maximum(c.adjusted - c.income, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(c.has & (c.value > 0), gap / c.value * 100, np.inf)
        margin = (c.value - c.costs) / c.area
        area = np.where(c.has & (margin > 0), gap / margin, np.inf)
        cut = np.where(c.has & (c.costs > 0), gap / c.costs * 100, np.inf)
    cut = np.where(cut > 100, np.inf, cut)
    checks = {
        "price": (pct, c.price * (1 + pct / 100) <= c.price_max, c.price_max),
        "yield": (pct, c.yield_kg_ha * (1 + pct / 100) <= c.yield_max, c.yield_max),
        "area": (area, c.area + area <= c.area_max, c.area_max),
        "cost": (cut, cut <= c.cost_cut_max, c.cost_cut_max),
        "other_income": (gap, gap <= c.other_max, c.other_max),
    }
    found = {}
    for lever, (change, fits, limit) in checks.items():
        closes, known = np.isfinite(change), np.isfinite(limit)
        found[lever] = (change, fits & closes & known, known | ~closes)
    return found


class HouseholdNeeds(BaseModel):
    """What one driver alone would need to bring a household below to its benchmark."""

    model_config = ConfigDict(frozen=True)

    instance_id: str
    household_id: str
    district: str
    head_sex: str
    gap: float
    """Adjusted benchmark − income, in the currency."""
    needs: dict[str, float | None]
    """Each lever's change alone, in its unit (None: it cannot close the gap alone)."""
    within_reach: dict[str, bool | None]
    """None: not assessed, no limit set for the household's country and crop."""


def household_needs(
    c: DriverColumns, households: Sequence[HouseholdResult]
) -> list[HouseholdNeeds]:
    """The households below their benchmark, in the report's order."""
    needed = required(c)
    return [
        HouseholdNeeds(
            instance_id=h.instance_id, household_id=h.household_id, district=h.district,
            head_sex=h.head_sex, gap=float(c.adjusted[i] - c.income[i]),
            needs={k: float(v[i]) if np.isfinite(v[i]) else None for k, (v, _, _) in needed.items()},
            within_reach={k: bool(ok[i]) if known[i] else None
                          for k, (_, ok, known) in needed.items()},
        )
        for i, h in enumerate(households)
        if c.income[i] < c.adjusted[i]
    ]  # fmt: skip


def lever_of(
    c: DriverColumns,
    under: NDArray[np.intp],
    change: Array,
    reach: NDArray[np.bool_],
    known: NDArray[np.bool_],
) -> Lever:
    """One lever over a group's households below (`under`)."""
    if not len(under):
        return Lever(median_change=0.0, within_reach_pct=None, assessed=0, cannot_close=0,
                     no_limit_for=[])  # fmt: skip
    middle = median(change[under], c.weight[under])
    assessed = under[known[under]]
    share = (
        weighted_mean(reach[assessed].astype(np.float64), c.weight[assessed]) * 100
        if len(assessed) else None
    )  # fmt: skip
    return Lever(
        median_change=middle if np.isfinite(middle) else None,
        within_reach_pct=share,
        assessed=len(assessed),
        cannot_close=int((~np.isfinite(change[under])).sum()),
        no_limit_for=sorted({c.place[i] for i in under[~known[under]]}),
    )


def segment_drivers(
    c: DriverColumns, groups: Sequence[Segment], figures: dict[str, Array]
) -> list[SegmentDrivers]:
    """`figures`: each driver's value per household (NaN where it has none)."""
    needed = required(c)
    below = c.income < c.adjusted
    shortfall = (c.adjusted - np.maximum(c.income, 0.0)) / c.adjusted
    found = []
    for g in groups:
        rows, w = g.rows, c.weight[g.rows]
        under = rows[below[rows]]
        closing = {lever: lever_of(c, under, *found) for lever, found in needed.items()}
        found.append(
            SegmentDrivers(
                by=g.by,
                group=g.group,
                benchmark_id=g.benchmark_id,
                currency=g.currency,
                n=len(rows),
                with_drivers=int(c.has[rows].sum()),
                share_below_pct=weighted_mean(below[rows].astype(np.float64), w) * 100,
                gap_pct=median(shortfall[rows], w) * 100,
                quartiles={k: quantiles(v[rows], w) for k, v in figures.items()},
                below=len(under),
                closing=closing,
            )
        )
    return found

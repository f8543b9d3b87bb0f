"""A scenario's figures per group of the report (all households, sex of the head, district,
crop, farm size, each split by benchmark), and the sensitivity of the share below the
benchmark to each driver.

The share below, the gap (median shortfall) and FGT1 are computed as the report computes them
(`groups.py`), with the same seeded bootstrap over the same draws (`scenario_bootstrap`), so a
scenario without change gives the report's figures and intervals exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict

from sync.server.report.compute import grouped
from sync.server.report.estimates import Array, Estimate, weighted_mean
from sync.server.report.estimates import weighted_median as median
from sync.server.report.households import HouseholdResult
from sync.server.report.scenario_bootstrap import intervals
from sync.server.report.scenarios import DriverColumns, Scenario, income_after, within_reach

STEPS = (-25.0, -10.0, 10.0, 25.0)
"""Sensitivity: each driver changed by these percents, one at a time."""


@dataclass(frozen=True)
class Segment:
    by: str
    group: str
    benchmark_id: str
    currency: str
    rows: NDArray[np.intp]

    @property
    def name(self) -> str:
        """The bootstrap's stream name, as the report's group of the same households."""
        return f"{self.by}/{self.group}/{self.benchmark_id}"


def segments(households: Sequence[HouseholdResult], currencies: dict[str, str]) -> list[Segment]:
    """The report's groups, in the report's order (`compute.build_report`)."""
    return [
        Segment(by, name, bench, currencies.get(bench, "unknown"), rows)
        for by, name, bench, rows in grouped(households)
    ]


class ScenarioGroup(BaseModel):
    model_config = ConfigDict(frozen=True)

    by: str
    group: str
    benchmark_id: str
    currency: str
    n: int
    share_below_pct: Estimate
    gap_pct: Estimate
    """Median shortfall in % of the benchmark, as the report's gap."""
    fgt1: float
    median_income: float
    crossing: int
    """Households below the benchmark before, at or above it after."""
    crossing_within_reach: int
    """Of those, the ones whose changed drivers stay within the plausible limits."""
    falling: int
    """Households at or above the benchmark before, below it after."""


class ScenarioResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    scenario: Scenario
    changes: dict[str, str]
    groups: list[ScenarioGroup]


def _shortfall(income: Array, adjusted: Array) -> Array:
    return np.asarray((adjusted - np.maximum(income, 0.0)) / adjusted)


@dataclass(frozen=True)
class _After:
    """One scenario's households: income, below, shortfall, crossing up and down, reach."""

    income: Array
    below: NDArray[np.bool_]
    shortfall: Array
    crossing: NDArray[np.bool_]
    falling: NDArray[np.bool_]
    reach: NDArray[np.bool_]

    @classmethod
    def of(cls, c: DriverColumns, s: Scenario) -> _After:
        income = income_after(c, s)
        below, before = income < c.adjusted, c.income < c.adjusted
        crossing = before & ~below
        return cls(income, below, _shortfall(income, c.adjusted), crossing, ~before & below,
                   crossing & within_reach(c, s))  # fmt: skip


def run_scenarios(
    c: DriverColumns, groups: Sequence[Segment], scenarios: Sequence[Scenario], seed: int
) -> list[ScenarioResult]:
    """Each scenario's figures per group; a group's bootstrap draws serve every scenario."""
    after = [_After.of(c, s) for s in scenarios]
    found: list[list[ScenarioGroup]] = [[] for _ in scenarios]
    for g in groups:
        rows, w = g.rows, c.weight[g.rows]
        unders = [a.below[rows].astype(np.float64) for a in after]
        shorts = [a.shortfall[rows] for a in after]
        cis = intervals(w, c.income[rows], unders, shorts, g.name, seed)
        for k, (a, under, short, (low, gap)) in enumerate(
            zip(after, unders, shorts, cis, strict=True)
        ):
            found[k].append(
                ScenarioGroup(
                    by=g.by,
                    group=g.group,
                    benchmark_id=g.benchmark_id,
                    currency=g.currency,
                    n=len(rows),
                    share_below_pct=_percent(weighted_mean(under, w), low),
                    gap_pct=_percent(median(short, w), gap),
                    fgt1=weighted_mean(np.maximum(short, 0.0), w),
                    median_income=median(a.income[rows], w),
                    crossing=int(a.crossing[rows].sum()),
                    crossing_within_reach=int(a.reach[rows].sum()),
                    falling=int(a.falling[rows].sum()),
                )
            )
    return [
        ScenarioResult(scenario=s, changes=s.changes(), groups=groups_of)
        for s, groups_of in zip(scenarios, found, strict=True)
    ]


def _percent(value: float, interval: tuple[float, float]) -> Estimate:
    return Estimate(value=value * 100, ci95=(interval[0] * 100, interval[1] * 100))


class Sensitivity(BaseModel):
    """A group's share below after each driver's change, less its share below now, in
    percentage points, by driver and step ("+10%")."""

    model_config = ConfigDict(frozen=True)

    by: str
    group: str
    benchmark_id: str
    share_below_pct: float
    change_pp: dict[str, dict[str, float]]


SENSITIVE = {"price": "price_pct", "yield": "yield_pct", "area": "area_pct",
             "cost": "cost_pct", "other_income": "other_income_pct"}  # fmt: skip


def sensitivity(c: DriverColumns, groups: Sequence[Segment]) -> list[Sensitivity]:
    """Each driver ±10 % and ±25 %, one at a time: the change in each group's share below."""
    now = (c.income < c.adjusted).astype(np.float64)
    after = {
        (driver, step): (
            income_after(c, Scenario(name="step", **{field: step})) < c.adjusted
        ).astype(np.float64)
        for driver, field in SENSITIVE.items()
        for step in STEPS
    }
    found = []
    for g in groups:
        w = c.weight[g.rows]
        base = weighted_mean(now[g.rows], w) * 100
        change = {
            driver: {
                f"{step:+g}%": weighted_mean(after[driver, step][g.rows], w) * 100 - base
                for step in STEPS
            }
            for driver in SENSITIVE
        }
        found.append(Sensitivity(by=g.by, group=g.group, benchmark_id=g.benchmark_id,
                                 share_below_pct=base, change_pp=change))  # fmt: skip
    return found

"""The living income report: each household against its benchmark, then every group's figures
per benchmark (a group never mixes two currencies or two benchmark years).

Groups: all households, sex of the household head, district, main crop and farm-size class
(KIT reports income by sex of the head and farm size), each split by benchmark.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict

from sync.server.report.benchmarks import Benchmark, shipped_benchmarks, unknown
from sync.server.report.estimates import SEED
from sync.server.report.groups import Columns, GroupResult, group_result
from sync.server.report.household import HouseholdIncome
from sync.server.report.households import HouseholdResult, household_result

DIMENSIONS: dict[str, Callable[[HouseholdResult], str]] = {
    "all": lambda r: "all households",
    "head_sex": lambda r: r.head_sex,
    "district": lambda r: r.district,
    "crop": lambda r: r.crop,
    "farm_class": lambda r: r.farm_class,
}
DEFAULT_STATES = ("approved",)


class Population(BaseModel):
    """Which submissions the report counts, as the report states it."""

    model_config = ConfigDict(frozen=True)

    states: tuple[str, ...] = DEFAULT_STATES
    """Review states counted; the latest version of each interview only (an edited
    interview counts once, as its last version)."""
    districts: tuple[str, ...] = ()
    """Empty: every district the reader may see."""

    def describe(self) -> str:
        states = " or ".join(self.states) if self.states else "any state"
        where = ", ".join(self.districts) if self.districts else "every district"
        return (
            f"Submissions {states} (review state), latest version of each interview only"
            f" (superseded versions never count), in {where}."
        )


class Report(BaseModel):
    model_config = ConfigDict(frozen=True)

    form_id: str
    population: Population
    benchmarks: list[Benchmark]
    """The benchmarks the households used, with their citations."""
    households: list[HouseholdResult]
    skipped: list[str]
    """instanceIDs left out: no usable benchmark, household size or sample weight."""
    groups: list[GroupResult]
    seed: int
    """The bootstrap's seed: the same data and seed give the same intervals."""


def build_report(
    form_id: str,
    records: Iterable[HouseholdIncome],
    *,
    population: Population | None = None,
    benchmarks: dict[str, Benchmark] | None = None,
    seed: int = SEED,
) -> Report:
    """`records` may be a generator: each is dropped once its result is computed."""
    table = shipped_benchmarks() if benchmarks is None else benchmarks
    used: dict[str, Benchmark] = {}
    results, skipped = [], []
    for record in records:
        benchmark = table.get(record.benchmark) or unknown(record.benchmark)
        result = household_result(record, benchmark)
        if result is None:
            skipped.append(record.instance_id)
        else:
            used.setdefault(benchmark.id, benchmark)
            results.append(result)
    columns = Columns.of(results)
    groups = [
        group_result(by, name, used[benchmark], columns, rows, seed)
        for by, name, benchmark, rows in grouped(results)
    ]
    return Report(
        form_id=form_id,
        population=population or Population(),
        benchmarks=sorted(used.values(), key=lambda b: b.id),
        households=results,
        skipped=skipped,
        groups=groups,
        seed=seed,
    )


def grouped(
    households: Sequence[HouseholdResult],
) -> list[tuple[str, str, str, NDArray[np.intp]]]:
    """The report's groups in its order: (dimension, group, benchmark id, row numbers), one
    per dimension, group and benchmark, sorted by group then benchmark."""
    found = []
    for by, key in DIMENSIONS.items():
        members: dict[tuple[str, str], list[int]] = {}
        for i, h in enumerate(households):
            members.setdefault((key(h), h.benchmark_id), []).append(i)
        found += [
            (by, name, benchmark, np.array(rows, dtype=np.intp))
            for (name, benchmark), rows in sorted(members.items())
        ]
    return found

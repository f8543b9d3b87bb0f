"""A scenario: changes to the drivers applied to every household, and each household's income
after them (IDH's Income Driver Calculator models one typical household per segment; here
every surveyed household is changed and the report's figures are computed again).

For a household with drivers (`drivers.py`), holding everything not changed:

- the new productive area is area × (1 + area %) + area ha (at least 0);
- the value of the produce sold or kept scales with area, yield and price (the sharecropper's
  share stays the same fraction of it); premiums stay as they were;
- the costs scale with the area (a cost per ha, as IDH's calculator counts them) and the
  cost change;
- other income changes by its % and by the amount (per household and year, in the
  household's benchmark currency).

A household whose drivers cannot be computed keeps its main crop income: only the other
income changes apply to it. No change at all gives each household exactly the report's income,
so a zero scenario reproduces the report's figures.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from sync.server.errors import BadRequest
from sync.server.report.driver_limits import DriverLimits
from sync.server.report.drivers import CropFigures, missing
from sync.server.report.estimates import Array
from sync.server.report.households import HouseholdResult

DRIVERS = ("price", "yield", "area", "cost", "other_income")
PERCENT_ONLY = ("price", "yield", "cost")
"""Drivers changed by a percent only (area and other income also take an amount)."""
UNITS = {"area": "ha", "other_income": "per year"}


class Scenario(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=80)
    price_pct: float = Field(default=0.0, ge=-100, le=1000, allow_inf_nan=False)
    yield_pct: float = Field(default=0.0, ge=-100, le=1000, allow_inf_nan=False)
    cost_pct: float = Field(default=0.0, ge=-100, le=1000, allow_inf_nan=False)
    area_pct: float = Field(default=0.0, ge=-100, le=1000, allow_inf_nan=False)
    area_ha: float = Field(default=0.0, ge=-1000, le=1000, allow_inf_nan=False)
    other_income_pct: float = Field(default=0.0, ge=-100, le=1000, allow_inf_nan=False)
    other_income: float = Field(default=0.0, allow_inf_nan=False)
    """Per household and year, in the household's benchmark currency."""

    def changes(self) -> dict[str, str]:
        """The changes as a reader writes them: {"price": "+20%", "area": "+0.5 ha"}."""
        said: dict[str, str] = {}
        for driver in DRIVERS:
            parts = []
            pct = getattr(self, f"{driver}_pct")
            if pct:
                parts.append(f"{pct:+g}%")
            amount = getattr(self, "area_ha" if driver == "area" else driver, 0.0)
            if driver in UNITS and amount:
                parts.append(f"{amount:+,g} {UNITS[driver]}")
            if parts:
                said[driver] = " ".join(parts)
        return said


SPEC = re.compile(r"^\s*([a-z_]+)\s*=\s*([+-]?\d+(?:\.\d+)?)\s*(%?)\s*$")


def parse_scenario(spec: str) -> Scenario:
    """`name:price=+20%,yield=+15%,area=+0.5,other_income=+100000`; a bad part is refused
    naming it: `--scenario 'x:prise=+20%': unknown driver 'prise' (price, yield, …)`."""
    where = f"--scenario {spec!r}"
    name, colon, body = spec.partition(":")
    if not colon or not name.strip():
        raise BadRequest(f"{where}: write it as name:driver=change,… (e.g. fair:price=+20%)")
    values: dict[str, float] = {}
    for part in body.split(","):
        if not part.strip():
            continue
        key = part.split("=", 1)[0].strip()
        if key not in DRIVERS:
            raise BadRequest(f"{where}: unknown driver {key!r} ({', '.join(DRIVERS)})")
        found = SPEC.match(part)
        if found is None:
            raise BadRequest(f"{where}: {part.strip()!r} is not a change such as {key}=+10%")
        amount, percent = float(found.group(2)), bool(found.group(3))
        if not percent and key in PERCENT_ONLY:
            raise BadRequest(f"{where}: {key} changes by a percent ({key}={found.group(2)}%)")
        field = f"{key}_pct" if percent else ("area_ha" if key == "area" else key)
        if field in values:
            raise BadRequest(f"{where}: {part.strip()!r} changes {key} a second time")
        if percent and amount < -100:
            raise BadRequest(f"{where}: {part.strip()!r} takes away more than all of it")
        values[field] = amount
    if not values:
        raise BadRequest(f"{where}: no change (e.g. {name.strip()}:price=+20%)")
    return Scenario.model_validate({"name": name.strip(), **values})


@dataclass(frozen=True)
class DriverColumns:
    """The households' incomes and drivers as arrays, in the report's household order.
    Without drivers: value and costs 0 and area 1 (no main crop change applies)."""

    weight: Array
    income: Array
    adjusted: Array
    value: Array
    """Value of the produce sold or kept, less the sharecropper's share."""
    costs: Array
    area: Array
    other: Array
    """Income − the main crop's part (all of it without drivers)."""
    has: NDArray[np.bool_]
    yield_kg_ha: Array
    price: Array
    yield_max: Array
    price_max: Array
    area_max: Array
    cost_cut_max: Array
    other_max: Array
    """The plausible limits per household (inf: none set for its country and crop)."""
    place: tuple[str, ...] = ()
    """Each household's "country/crop", naming where a limit is missing."""

    @classmethod
    def of(
        cls,
        households: Sequence[HouseholdResult],
        crops: Mapping[str, CropFigures],
        limits: DriverLimits,
    ) -> DriverColumns:
        places = limits.by_place()
        empty = CropFigures()
        rows = []
        for h in households:
            f = crops.get(h.instance_id, empty)
            usable = missing(f) is None
            value = f.value - f.share_paid if usable else 0.0
            costs = f.costs if usable else 0.0
            limit = places.get((f.country, h.crop))
            bounds = [
                getattr(limit, name) if limit is not None else None
                for name in ("yield_max_kg_ha", "price_max_per_kg", "area_max_ha",
                             "cost_cut_max_pct", "other_income_max")
            ]  # fmt: skip
            rows.append((
                h.weight, h.income_total, h.benchmark, value, costs,
                f.area_ha if usable else 1.0,
                h.income_total - (value + f.premiums - costs if usable else 0.0),
                usable,
                f.harvest_kg / f.area_ha if usable else math.nan,
                f.value / f.marketed_kg if usable else math.nan,
                *(math.inf if b is None else b for b in bounds),
            ))  # fmt: skip
        table = np.array(rows, dtype=np.float64).reshape(len(rows), 15)
        c = table.T
        place = tuple(
            f"{crops.get(h.instance_id, empty).country or '?'}/{h.crop or '?'}" for h in households
        )
        return cls(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7] > 0, c[8], c[9], c[10],
                   c[11], c[12], c[13], c[14], place)  # fmt: skip


def new_area(c: DriverColumns, s: Scenario) -> Array:
    return np.where(c.has, np.maximum(c.area * (1 + s.area_pct / 100) + s.area_ha, 0.0), c.area)


def income_after(c: DriverColumns, s: Scenario) -> Array:
    """Each household's income after the scenario's changes."""
    scale = new_area(c, s) / c.area
    value = c.value * (scale * (1 + s.yield_pct / 100) * (1 + s.price_pct / 100) - 1)
    costs = c.costs * (scale * (1 + s.cost_pct / 100) - 1)
    return np.asarray(
        c.income + value - costs + c.other * (s.other_income_pct / 100) + s.other_income
    )


def within_reach(c: DriverColumns, s: Scenario) -> NDArray[np.bool_]:
    """Whether the scenario's new price, yield, area, cost cut and extra other income stay
    within each household's plausible limits. A driver the scenario changes counts only where
    a limit is set for the household's country and crop: without one it is not assessed, so
    not within reach."""
    extra = c.other * (s.other_income_pct / 100) + s.other_income

    def fits(changed: bool, value: Array | float, limit: Array) -> NDArray[np.bool_]:
        return np.asarray((value <= limit) & np.isfinite(limit) if changed else value <= limit)

    crop = (
        fits(bool(s.price_pct), c.price * (1 + s.price_pct / 100), c.price_max)
        & fits(bool(s.yield_pct), c.yield_kg_ha * (1 + s.yield_pct / 100), c.yield_max)
        & fits(bool(s.area_pct or s.area_ha), new_area(c, s), c.area_max)
        & fits(s.cost_pct < 0, max(0.0, -s.cost_pct), c.cost_cut_max)
    )
    other = fits(bool(s.other_income_pct or s.other_income), extra, c.other_max)
    return np.asarray(crop & other | ~c.has & other)

"""A household's income drivers: what its main crop earns, split into the levers a programme
can pull (IDH's Income Driver Calculator: land size, productivity, price, cost of production,
other income; KIT/COSA, "Guidance on calculating household income", 2020, for the value of
production and the costs).

From the living income questionnaire (`forms/library/living_income_household.md`):

- productive area (ha): `plots/productive_total_ha`, the plots' area under productive main
  crop trees or plants;
- harvest (kg of the priced form, dry beans or green coffee): `main_crop/harvest_kg_total`;
  yield = harvest ÷ productive area;
- value of the produce sold or kept: `main_sales` + `main_kept_value` (losses count nothing);
  the farm-gate price = that value ÷ the kg sold or kept, in the priced form (each season's
  `sold_kg` + `home_kg`, × its `to_priced`);
- sharecropping: `main_share_paid`, a fixed share of that value; premiums: `main_premiums`;
- cost of production: `costs/main_costs`; per ha (÷ productive area) and per kg (÷ harvest).

The main crop's part of the household's income is value − share paid + premiums − costs;
every other source (other crops, livestock, wages, business, remittances, transfers, own
consumption of those) is "other income" = the report's income − that part, so the drivers
always add up to the report's income.
"""

from __future__ import annotations

from dataclasses import dataclass

from sync.server.report.household import Texts

PATHS = {
    "country": "identification/country",
    "area_ha": "plots/productive_total_ha",
    "harvest_kg": "main_crop/harvest_kg_total",
    "sales": "main_sales",
    "kept_value": "main_kept_value",
    "premiums": "main_premiums",
    "share_paid": "main_share_paid",
    "costs": "costs/main_costs",
    "sold_kg": "main_crop/season/sold_kg",
    "home_kg": "main_crop/season/home_kg",
    "to_priced": "main_crop/season/to_priced",
}
"""Where the living income questionnaire keeps each figure (paths below the root)."""


@dataclass(frozen=True, slots=True)
class CropFigures:
    """The main crop's figures of one household, as stored with its report row."""

    country: str = ""
    area_ha: float = 0.0
    harvest_kg: float = 0.0
    marketed_kg: float = 0.0
    """Kg sold or kept (eaten, stocked, seed, gifts), in the priced form."""
    value: float = 0.0
    """Value of the produce sold or kept."""
    premiums: float = 0.0
    share_paid: float = 0.0
    costs: float = 0.0


COLUMNS = ("country", "area_ha", "harvest_kg", "marketed_kg", "crop_value", "premiums",
           "share_paid", "crop_costs")  # fmt: skip
"""The figures' column names in the stored report row, in CropFigures' order."""


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        return 0.0
    return value if abs(value) != float("inf") and value == value else 0.0


def crop_figures(texts: Texts) -> CropFigures:
    """The figures read from a submission; an absent or empty figure counts as 0."""

    def one(name: str) -> float:
        found = texts(PATHS[name])
        return _number(found[0]) if found else 0.0

    def each(name: str) -> list[float]:
        return [_number(t) for t in texts(PATHS[name])]

    conversions = each("to_priced")
    marketed = sum(
        (sold + home) * (conversions[i] if i < len(conversions) else 1.0)
        for i, (sold, home) in enumerate(zip(each("sold_kg"), each("home_kg"), strict=False))
    )
    country = texts(PATHS["country"])
    return CropFigures(
        country=country[0] if country else "",
        area_ha=one("area_ha"),
        harvest_kg=one("harvest_kg"),
        marketed_kg=marketed,
        value=one("sales") + one("kept_value"),
        premiums=one("premiums"),
        share_paid=one("share_paid"),
        costs=one("costs"),
    )


REASONS = {
    "area": "no productive area of the main crop",
    "harvest": "no harvest of the main crop",
    "price": "no price: none of the harvest was sold or valued",
}


def missing(f: CropFigures) -> str | None:
    """Why the drivers of a household cannot be computed, or None when they can."""
    if f.area_ha <= 0:
        return REASONS["area"]
    if f.harvest_kg <= 0:
        return REASONS["harvest"]
    if f.marketed_kg <= 0 or f.value <= 0:
        return REASONS["price"]
    return None


@dataclass(frozen=True, slots=True)
class Drivers:
    """A household's drivers; the main crop's are None when they cannot be computed."""

    area_ha: float | None
    yield_kg_ha: float | None
    price: float | None
    """Per kg of the priced form."""
    cost_per_ha: float | None
    cost_per_kg: float | None
    main_income: float
    """Value − share paid + premiums − costs (0 without drivers: all income is other)."""
    other_income: float
    members: int
    equivalence_units: float
    benchmark: float
    """The benchmark adjusted to the household's size."""


def drivers(f: CropFigures, income: float, members: int, units: float, benchmark: float) -> Drivers:
    """The drivers of a household whose report income is `income`."""
    if missing(f) is not None:
        return Drivers(None, None, None, None, None, 0.0, income, members, units, benchmark)
    main = main_income(f)
    return Drivers(
        area_ha=f.area_ha,
        yield_kg_ha=f.harvest_kg / f.area_ha,
        price=f.value / f.marketed_kg,
        cost_per_ha=f.costs / f.area_ha,
        cost_per_kg=f.costs / f.harvest_kg,
        main_income=main,
        other_income=income - main,
        members=members,
        equivalence_units=units,
        benchmark=benchmark,
    )


def main_income(f: CropFigures) -> float:
    return f.value - f.share_paid + f.premiums - f.costs

"""What counts as a plausible change of a driver, per country and main crop: the yield at
most the agronomic potential, the price at most a reference price, the productive area at
most a smallholder's, a cost cut at most a share of the costs, other income at most an amount.

The defaults ship with their sources in `forms/library/driver_limits.csv`; a project keeps
its own in the server's settings table (as the quality settings are kept), shown by
`fieldapp-server drivers show` and replaced by `fieldapp-server drivers set FILE` (checked
first, naming the row and the field). An empty cell, or a household of a country and crop
without a row, sets no bound: a change of that driver is then "not assessed", never within
reach, and the report says which limits it used and where none was set. The cost cut is a
per-row project assumption, not a project-wide default: it applies only where a row sets it.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

import forms.library
from sync.server.errors import BadRequest
from sync.server.storage import Storage

CSV = Path(forms.library.__file__).with_name("driver_limits.csv")
SETTING_KEY = "driver_limits"


class DriverLimit(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    country: str = Field(min_length=1)
    """A `name` of the questionnaire's `country` choices (ci, gh…)."""
    crop: str = Field(min_length=1)
    """A `name` of its `crop_main` choices (cocoa, coffee…)."""
    currency: str = ""
    yield_max_kg_ha: float | None = Field(default=None, gt=0)
    price_max_per_kg: float | None = Field(default=None, gt=0)
    area_max_ha: float | None = Field(default=None, gt=0)
    cost_cut_max_pct: float | None = Field(default=None, ge=0, le=100)
    other_income_max: float | None = Field(default=None, ge=0)
    """Extra other income per household and year, in `currency`."""
    source: str = ""


class DriverLimits(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    limits: list[DriverLimit]

    def by_place(self) -> dict[tuple[str, str], DriverLimit]:
        return {(row.country, row.crop): row for row in self.limits}


def _refused(error: ValidationError, where: str) -> BadRequest:
    first = error.errors()[0]
    field = ".".join(str(p) for p in first["loc"]) or "the top level"
    return BadRequest(f"driver limits refused at {where}{field}: {first['msg']}")


def parse_csv(text: str, source: str = CSV.name) -> DriverLimits:
    rows = []
    for number, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        cells = {k: v.strip() for k, v in row.items() if k and v and v.strip()}
        try:
            rows.append(DriverLimit.model_validate(cells))
        except ValidationError as error:
            raise _refused(error, f"{source} row {number}, ") from None
    return DriverLimits(limits=rows)


def shipped_limits() -> DriverLimits:
    return parse_csv(CSV.read_text(encoding="utf-8"))


def load_limits(storage: Storage) -> DriverLimits:
    text = storage.get_setting(SETTING_KEY)
    return shipped_limits() if text is None else DriverLimits.model_validate_json(text)


def save_limits(storage: Storage, body: bytes | str) -> DriverLimits:
    """Check and store a JSON document as `drivers show` prints it; a bad one is refused
    naming the field and nothing is stored."""
    try:
        limits = DriverLimits.model_validate_json(body)
    except ValidationError as error:
        raise _refused(error, "") from None
    storage.set_setting(SETTING_KEY, limits.model_dump_json())
    return limits


def run_limits(storage: Storage, action: str, file: Path | None) -> int:
    """`drivers show` prints the limits in force; `drivers set FILE` stores a file's, or names
    what is wrong (file, row, field) and changes nothing."""
    if action == "set" and file is not None:
        try:
            text = file.read_bytes()
        except OSError as error:
            raise BadRequest(f"{file}: cannot read it ({error.strerror})") from None
        try:
            save_limits(storage, text)
        except BadRequest as error:
            raise BadRequest(f"{file}: {error.message}") from None
        print(f"stored the driver limits from {file}")
        return 0
    print(load_limits(storage).model_dump_json(indent=2))
    return 0

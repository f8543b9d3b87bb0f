"""Quality-flag settings of a project: a pydantic model kept as JSON in the server's settings table.

Every threshold has a default, so a fresh server flags sensibly; `PUT /api/v1/review/config`
(admin) replaces it. Field names are matched by their element name anywhere in an instance
(a repeat gives several values), mapped per form through `FieldMap`.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sync.server.errors import BadRequest
from sync.server.storage import Storage

SETTING_KEY = "quality_config"
METRICS = ("yield", "price", "area", "costs", "income")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldMap(Strict):
    """Element names of the fields the checks read; the defaults fit the living income
    questionnaire (`forms/library/living_income_household`)."""

    household_id: str = "household_id"
    gps: str = "gps"
    crop: str = "crop"
    start: str = "start"
    end: str = "end"
    metrics: dict[str, str] = Field(
        default_factory=lambda: {
            "yield": "yield_kg_ha",
            "price": "price",
            "area": "total_ha",
            "costs": "main_costs",
            "income": "income_total",
        }
    )


class BoundingBox(Strict):
    min_lat: float
    min_lon: float
    max_lat: float
    max_lon: float

    def contains(self, lat: float, lon: float) -> bool:
        return self.min_lat <= lat <= self.max_lat and self.min_lon <= lon <= self.max_lon


class QualityConfig(Strict):
    min_total_minutes: float = 10.0
    min_section_seconds: dict[str, float] = Field(default_factory=dict)
    """Top-level group name to its minimum time (from an `audit.csv` attachment)."""
    default_min_section_seconds: float | None = None
    iqr_factor: float = 1.5
    min_peers: int = Field(default=8, ge=4)
    """Outliers are judged only against at least this many earlier submissions."""
    gps_max_accuracy_m: float = 50.0
    districts: dict[str, BoundingBox] = Field(default_factory=dict)
    dont_know_codes: list[str] = Field(default_factory=lambda: ["-88", "-99", "dk", "refused"])
    max_dont_know_rate: float = Field(default=0.10, ge=0, le=1)
    min_answers_for_rate: int = 10
    fields: FieldMap = Field(default_factory=FieldMap)
    forms: dict[str, FieldMap] = Field(
        default_factory=lambda: {
            "demo_household": FieldMap(
                gps="location",
                metrics={
                    "price": "cocoa_price",
                    "costs": "cocoa_costs",
                    "income": "net_income",
                },
            )
        }
    )

    def field_map(self, form_id: str) -> FieldMap:
        return self.forms.get(form_id, self.fields)


def load_config(storage: Storage) -> QualityConfig:
    text = storage.get_setting(SETTING_KEY)
    if text is None:
        return QualityConfig()
    return QualityConfig.model_validate_json(text)


def save_config(storage: Storage, body: bytes | str) -> QualityConfig:
    """Validate and store; a bad document is a BadRequest naming the field, nothing stored."""
    try:
        config = QualityConfig.model_validate_json(body)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "the top level"
        raise BadRequest(f"quality config refused at {where}: {first['msg']}") from None
    storage.set_setting(SETTING_KEY, config.model_dump_json())
    return config

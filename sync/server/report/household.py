"""The report's input: one typed record per household, read from a submission by a mapping.

A `FieldMapping` names, per form, where each figure sits in the instance (paths below
the root, position-free; a path matching several nodes, such as the roster's ages,
gives them all). `LIVING_INCOME_MAPPING` is the one for `living_income_household`: the ages
of the members counted in the household size (KIT: not those away six months or more of the
year), and the A-WEAI adequacy flags of the woman's and, in dual-adult households, the man's
module (IFPRI, A-WEAI instructional guide, 2015), and the form's `income_positive`: the income
of the sources that made money, each crop, animal and income source on its own, the bound
and the denominator of the women's share (see `groups`), and the household's sample weight
(`identification/sample_weight`, read by the form from its attached `weights.csv`; 1 when the
household is not listed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from xml.etree.ElementTree import Element

from defusedxml.ElementTree import fromstring
from pydantic import BaseModel, ConfigDict

COMPONENTS = (
    "main_crop", "other_crops", "livestock", "wages", "business", "remittances", "transfers",
)  # fmt: skip
DOMAINS = ("input", "assets", "credit", "income", "group", "workload")


class FieldMapping(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    household_id: str
    head_sex: str
    crop: str
    farm_ha: str
    member_ages: str
    benchmark_value: str
    benchmark_units: str
    components: dict[str, str]
    own_consumption: str
    women_income: str
    adequacy: dict[str, str]
    region: str | None = None
    """None: the submission's district is the region."""
    benchmark: str | None = None
    """The benchmark's name (a row of benchmarks.csv: its currency, place and year)."""
    weight: str | None = None
    """The household's sample weight from the sample design; None (or empty): 1."""
    men_adequacy: dict[str, str] = {}
    """The men's module: A-WEAI adequacy per domain of the primary male decision-maker."""
    income_positive: str | None = None
    """The sum of the sources with a positive net income, source by source; None (or empty
    in a submission): the sum of the positive components instead, where a crop's loss
    offsets another crop's profit inside `other_crops`."""


LIVING_INCOME_MAPPING = FieldMapping(
    household_id="identification/household_id",
    head_sex="roster/head_sex",
    crop="main_crop/crop",
    farm_ha="plots/total_ha",
    member_ages="roster/member/counted_age",
    benchmark_value="bm_value",
    benchmark_units="bm_ref_units",
    components={
        "main_crop": "main_net",
        "other_crops": "other_crops_net",
        "livestock": "livestock_net",
        "wages": "wages",
        "business": "business",
        "remittances": "remittances",
        "transfers": "transfers",
    },
    own_consumption="own_consumption",
    women_income="women_income",
    adequacy={d: f"weai/w_{d}" for d in DOMAINS},
    men_adequacy={d: f"weai/m_{d}" for d in DOMAINS},
    benchmark="benchmark",
    weight="identification/sample_weight",
    income_positive="income_positive",
)

MAPPINGS = {"living_income_household": LIVING_INCOME_MAPPING}


@dataclass(frozen=True)
class HouseholdIncome:
    instance_id: str
    household_id: str
    region: str
    head_sex: str
    crop: str
    farm_ha: float
    member_ages: tuple[int, ...]
    benchmark_value: float
    benchmark_units: float
    components: dict[str, float]
    own_consumption: float
    women_income: float
    adequacy: dict[str, bool] | None
    """A-WEAI adequacy per domain; None when the women's module was not done."""
    benchmark: str = ""
    weight: float = 1.0
    men_adequacy: dict[str, bool] | None = None
    """The men's module's adequacy per domain; None when it was not done."""
    income_positive: float | None = None
    """The income of the sources that made money, source by source; None: the form has none."""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _texts(root: Element, path: str) -> list[str]:
    nodes = [root]
    for step in path.split("/"):
        nodes = [child for node in nodes for child in node if _local(child.tag) == step]
    return [(node.text or "").strip() for node in nodes]


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        return 0.0
    return value if value == value and abs(value) != float("inf") else 0.0


Texts = Callable[[str], list[str]]
"""The texts of the nodes at a mapping path, in document order."""


def household_from_xml(
    xml: str, mapping: FieldMapping, *, instance_id: str, district: str | None
) -> HouseholdIncome:
    """A household record read from a parsed tree (any form, any shape)."""
    return household_from_root(
        fromstring(xml, forbid_dtd=True), mapping, instance_id=instance_id, district=district
    )


def household_from_root(
    root: Element, mapping: FieldMapping, *, instance_id: str, district: str | None
) -> HouseholdIncome:
    """A household record read from an already parsed submission (as ingestion has it)."""
    return household_from_texts(
        lambda path: _texts(root, path), mapping, instance_id=instance_id, district=district
    )


def household_from_texts(
    texts: Texts, mapping: FieldMapping, *, instance_id: str, district: str | None
) -> HouseholdIncome:
    """A household record; an absent or empty figure counts as 0 (the form's `coalesce`)."""

    def text(path: str) -> str:
        found = texts(path)
        return found[0] if found else ""

    ages = tuple(int(_number(a)) for a in texts(mapping.member_ages) if a)
    flags = {d: text(p) for d, p in mapping.adequacy.items()}
    adequacy = {d: v == "1" for d, v in flags.items()} if any(flags.values()) else None
    men = {d: text(p) for d, p in mapping.men_adequacy.items()}
    weight = text(mapping.weight) if mapping.weight else ""
    positive = text(mapping.income_positive) if mapping.income_positive else ""
    region = text(mapping.region) if mapping.region else (district or "")
    return HouseholdIncome(
        instance_id=instance_id,
        household_id=text(mapping.household_id),
        region=region or "unknown",
        head_sex=text(mapping.head_sex) or "unknown",
        crop=text(mapping.crop) or "unknown",
        farm_ha=_number(text(mapping.farm_ha)),
        member_ages=ages,
        benchmark_value=_number(text(mapping.benchmark_value)),
        benchmark_units=_number(text(mapping.benchmark_units)),
        components={c: _number(text(mapping.components[c])) for c in COMPONENTS},
        own_consumption=_number(text(mapping.own_consumption)),
        women_income=_number(text(mapping.women_income)),
        income_positive=_number(positive) if positive else None,
        adequacy=adequacy,
        benchmark=text(mapping.benchmark) if mapping.benchmark else "",
        weight=_number(weight) if weight else 1.0,
        men_adequacy={d: v == "1" for d, v in men.items()} if any(men.values()) else None,
    )

"""The questionnaire's sample weight reaches the report (issue #16, item 17): two
households answered through the form, one listed in `weights.csv` with weight 3, the
other not listed (weight 1); every figure is worked out by hand here."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from forms.session import FormSession
from sync.server.report.compute import build_report
from sync.server.report.extract import mapped_paths, names_are_unique, reader_for
from sync.server.report.household import (
    LIVING_INCOME_MAPPING,
    HouseholdIncome,
    household_from_xml,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "forms"))
from living_income_households import plot, season
from living_income_support import definition, fill, new_session, number, roster, start

FRAME = {"weights.csv": b"household_id,weight\nAB-0001,3\n"}
ADJUSTED = 51_660 * 1.5 / 2.4
"""Ghana 2024: 51,660 for 2.4 reference units; a couple of adults is 1 + 0.5 = 1.5 units,
so 32,287.5."""


def cocoa_farm(household_id: str, kg: float, price: float) -> FormSession:
    """A couple on 1 ha of cocoa selling all of `kg` at `price` a kg, nothing else."""
    s = new_session(replaced=FRAME)
    start(s, "gh_cocoa_2024", "gh", household_id=household_id)
    roster(s, [("Kofi", "head", "male", 40), ("Ama", "spouse", "female", 35)])
    plot(s, 1, "ha", 1, "owned", "Kofi", 100)
    fill(s, [("main_crop/crop", "cocoa"), ("main_crop/n_seasons", 1)])
    season(s, 1, "main", "kg", kg, kg, price, 0, "Kofi")
    fill(s, [("main_crop/main_control", "man")])
    return s


def households() -> list[tuple[FormSession, str]]:
    poor = cocoa_farm("AB-0001", 100, 20)  # 100 × 20 = 2,000, below 32,287.5
    well_off = cocoa_farm("AB-0002", 1_000, 40)  # 1,000 × 40 = 40,000, above 32,287.5
    assert number(poor, "main_net") == 2_000 and number(well_off, "main_net") == 40_000
    assert number(poor, "benchmark_adjusted") == ADJUSTED == 32_287.5
    assert number(poor, "identification/sample_weight") == 3  # listed in weights.csv
    assert number(well_off, "identification/sample_weight") == 1  # not listed
    return [(poor, "uuid:poor"), (well_off, "uuid:well-off")]


def test_the_mapping_reads_the_forms_sample_weight() -> None:
    assert LIVING_INCOME_MAPPING.weight == "identification/sample_weight"
    assert "identification/sample_weight" in mapped_paths(LIVING_INCOME_MAPPING)
    assert names_are_unique(definition(), mapped_paths(LIVING_INCOME_MAPPING))
    fast = reader_for(LIVING_INCOME_MAPPING, definition())
    for session, instance_id in households():
        xml = session.to_xml()
        slow = household_from_xml(
            xml, LIVING_INCOME_MAPPING, instance_id=instance_id, district="north"
        )
        assert fast(xml, instance_id, "north") == slow
    weights = [
        household_from_xml(s.to_xml(), LIVING_INCOME_MAPPING, instance_id=i, district="n").weight
        for s, i in households()
    ]
    assert weights == [3.0, 1.0]


def records() -> list[HouseholdIncome]:
    read = reader_for(LIVING_INCOME_MAPPING, definition())
    return [read(s.to_xml(), instance_id, "north") for s, instance_id in households()]


def test_the_share_below_counts_the_weighted_household_three_times() -> None:
    """Share below (3 × 1 + 1 × 0) / (3 + 1) = 75 %, not the unweighted 1 of 2 = 50 %;
    mean income (3 × 2,000 + 1 × 40,000) / 4 = 11,500; median 2,000 (3 of the 4 of
    the weight)."""
    report = build_report("living_income_household", records())
    assert report.skipped == []
    [g] = [g for g in report.groups if g.by == "all"]
    assert (g.n, g.weight) == (2, 4)
    assert g.share_below_pct.value == pytest.approx(3 / 4 * 100) == 75
    assert g.mean_income.value == pytest.approx((3 * 2_000 + 40_000) / 4) == 11_500
    assert g.median_income.value == 2_000
    assert g.mean_benchmark == pytest.approx(ADJUSTED)

"""The report's figures on households computed by hand (issue #16, items 1, 2, 3, 7, 9, 14,
16 and 17): each expected figure is worked out in the test, never read from the code."""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

import pytest

from sync.server.report.benchmarks import parse_benchmarks
from sync.server.report.compute import Report, build_report
from sync.server.report.groups import GroupResult
from sync.server.report.household import (
    COMPONENTS,
    DOMAINS,
    LIVING_INCOME_MAPPING,
    HouseholdIncome,
    household_from_xml,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "forms"))
from living_income_households import other_crop, plot, season
from living_income_support import fill, new_session, number, roster, start

TABLE = parse_benchmarks(
    "name,label,country,region,year,currency,value,ref_members,ref_adults,ref_units,"
    "type,publication,publication_year,url,superseded_by,price_factor,price_factor_year,"
    "price_factor_source\n"
    "gh_2022,Ghana - cocoa areas - 2022,gh,cocoa areas,2022,GHS,27888,5,2,2.4,"
    "Anker living income benchmark,LICOP Ghana,2022,https://example.org/gh,gh_2024,,,\n"
    "gh_2024,Ghana - cocoa areas - 2024,gh,cocoa areas,2024,GHS,51660,5,2,2.4,"
    "Anker living income benchmark,LICOP Ghana update,2024,https://example.org/gh,,,,\n"
    "gh_2022_cpi,Ghana - cocoa areas - 2022,gh,cocoa areas,2022,GHS,27888,5,2,2.4,"
    "Anker living income benchmark,LICOP Ghana,2022,https://example.org/gh,,1.5,2024,"
    "Ghana Statistical Service CPI\n"
    "ci_2024,Côte d'Ivoire - cocoa areas - 2024,ci,cocoa areas,2024,XOF,3887292,6,2,2.7,"
    "Anker living income benchmark,LICOP CI,2024,https://example.org/ci,,,,\n"
)
TWO_ADULTS = (40, 35)
"""1 + 0.5 = 1.5 equivalence units."""
ALL_ADEQUATE = dict.fromkeys(DOMAINS, True)


def household(
    name: str,
    benchmark: str,
    value: float,
    *,
    main: float = 0.0,
    other: float = 0.0,
    wages: float = 0.0,
    own: float = 0.0,
    women: float = 0.0,
    district: str = "north",
    weight: float = 1.0,
    adequacy: dict[str, bool] | None = None,
    men: dict[str, bool] | None = None,
    units: float = 2.4,
    positive: float | None = None,
) -> HouseholdIncome:
    components = dict.fromkeys(COMPONENTS, 0.0) | {"main_crop": main, "other_crops": other}
    components["wages"] = wages
    return HouseholdIncome(
        name, name, district, "male", "cocoa", 1.0, TWO_ADULTS, value, units, components, own,
        women, adequacy, benchmark=benchmark, weight=weight, men_adequacy=men,
        income_positive=positive,
    )  # fmt: skip


def group(report: Report, by: str, name: str, benchmark: str) -> GroupResult:
    [found] = [g for g in report.groups
               if g.by == by and g.group == name and g.benchmark.id == benchmark]  # fmt: skip
    return found


def test_two_benchmarks_of_one_district_are_never_added_together() -> None:
    """Item 1: Ghana 2022 and 2024 (GHS) and Côte d'Ivoire (XOF) in one district."""
    report = build_report("f", [
        household("a", "gh_2022", 27_888, main=10_000),
        household("b", "gh_2022", 27_888, main=20_000),
        household("c", "gh_2024", 51_660, main=40_000),
        household("d", "ci_2024", 3_887_292, main=2_000_000, units=2.7),
    ], benchmarks=TABLE)  # fmt: skip
    north = [g for g in report.groups if g.by == "district"]
    assert [(g.benchmark.id, g.currency, g.benchmark.year, g.n) for g in north] == [
        ("ci_2024", "XOF", 2024, 1), ("gh_2022", "GHS", 2022, 2), ("gh_2024", "GHS", 2024, 1)
    ]  # fmt: skip
    assert (
        group(report, "district", "north", "gh_2022").mean_income.value == 15_000
    )  # (10k + 20k) / 2
    assert group(report, "all", "all households", "gh_2024").mean_income.value == 40_000
    assert group(report, "district", "north", "gh_2022").benchmark.place == "Ghana - cocoa areas"
    assert {b.id for b in report.benchmarks} == {"ci_2024", "gh_2022", "gh_2024"}


def test_a_price_factor_brings_an_older_benchmark_to_the_survey_year() -> None:
    """Item 1: 27,888 GHS (2022) × 1.5 = 41,832 GHS in 2024 prices; 1.5 of 2.4 units."""
    report = build_report("f", [household("a", "gh_2022_cpi", 27_888, main=20_000)],
                          benchmarks=TABLE)  # fmt: skip
    [h] = report.households
    assert h.benchmark_reference == pytest.approx(41_832)
    assert h.benchmark == pytest.approx(41_832 * 1.5 / 2.4)  # 26,145
    g = group(report, "all", "all households", "gh_2022_cpi")
    assert (g.benchmark.year, g.benchmark.original_year, g.benchmark.price_factor) == (
        2024,
        2022,
        1.5,
    )


def test_a_net_loss_counts_as_no_income_in_the_gap_and_is_counted_apart() -> None:
    """Item 2: adjusted benchmark 27,888 × 1.5 / 2.4 = 17,430. A loss of 10,000 has a
    shortfall of 1 (not 27,430 / 17,430 = 1.57); 8,715 has (17,430 − 8,715) / 17,430 = 0.5."""
    report = build_report("f", [household("loss", "gh_2022", 27_888, main=-10_000),
                                household("half", "gh_2022", 27_888, main=8_715)],
                          benchmarks=TABLE)  # fmt: skip
    loss, half = report.households
    assert loss.shortfall == pytest.approx(1.0) and half.shortfall == pytest.approx(0.5)
    g = group(report, "all", "all households", "gh_2022")
    assert g.fgt1 == pytest.approx((1.0 + 0.5) / 2)
    assert g.fgt2 == pytest.approx((1.0**2 + 0.5**2) / 2)
    assert g.gap_pct.value == pytest.approx((100 + 50) / 2)  # the median of two
    assert g.negative_income == 1
    assert g.mean_income.value == pytest.approx((-10_000 + 8_715) / 2)
    assert g.distribution_pct["net loss"] == 50  # the loss
    assert g.distribution_pct["50-75 %"] == 50  # 8,715 is 50 % of 17,430: [50, 75)
    assert g.distribution_pct["0-50 %"] == 0 and g.distribution_pct["≥ 100 %"] == 0


def test_a_household_above_its_benchmark_has_a_negative_gap() -> None:
    """Item 16: income 26,145 against 17,430 is (17,430 − 26,145) / 17,430 = −50 %."""
    report = build_report("f", [household("rich", "gh_2022", 27_888, main=26_145)],
                          benchmarks=TABLE)  # fmt: skip
    g = group(report, "all", "all households", "gh_2022")
    assert g.gap_pct.value == pytest.approx(-50) and g.fgt1 == 0
    assert g.distribution_pct["≥ 100 %"] == 100


def test_the_womens_share_is_on_positive_components_and_bounded() -> None:
    """Item 3: A lost 500 on the main crop (paid to the wife: her figure −400 with 100 of
    wages): positive components 100, her share counted 0. B earned 1,000 and her figure says
    1,500: counted 1,000. Share = (0 + 1,000) / (100 + 1,000) = 90.9 %."""
    report = build_report("f", [
        household("A", "gh_2024", 51_660, main=-500, wages=100, women=-400),
        household("B", "gh_2024", 51_660, main=1_000, women=1_500),
    ], benchmarks=TABLE)  # fmt: skip
    g = group(report, "all", "all households", "gh_2024")
    assert g.women_share_pct == pytest.approx(100 * 1_000 / 1_100)
    alone = build_report("f", [household("A", "gh_2024", 51_660, main=-500, wages=100,
                                         women=-400)], benchmarks=TABLE)  # fmt: skip
    assert alone.groups[0].women_share_pct == 0


def test_the_womens_share_counts_each_source_that_made_money_on_its_own() -> None:
    """Items 3 and 9: Kofi's cocoa nets +2,000 (he decides), Ama's maize +1,000 (she decides),
    Kofi's cassava −800. The other crops together net +200, but the sources that made money
    earned 2,000 + 1,000 = 3,000, of which Ama controls 1,000: 33.3 %, not 1,000 / 2,200
    (45.5 %), where the cassava's loss would eat into her maize. A mapping without
    `income_positive` falls back to the positive components: 2,000 + 200."""
    per_source = household("K", "gh_2024", 51_660, main=2_000, other=200, women=1_000,
                           positive=3_000)  # fmt: skip
    report = build_report("f", [per_source], benchmarks=TABLE)
    assert report.groups[0].women_share_pct == pytest.approx(100 / 3)
    assert report.households[0].income_positive == 3_000
    fallback = household("K", "gh_2024", 51_660, main=2_000, other=200, women=1_000)
    alone = build_report("f", [fallback], benchmarks=TABLE)
    assert alone.groups[0].women_share_pct == pytest.approx(100 * 1_000 / 2_200)


def test_the_interviews_summary_and_the_report_give_one_womens_share() -> None:
    """The same household answered through the questionnaire: cocoa 100 kg sold at 20,
    maize 100 kg sold at 10 (no costs), cassava 100 kg sold at 2 with 1,000 of costs."""
    s = new_session()
    start(s, "gh_cocoa_2024", "gh")
    roster(s, [("Kofi", "head", "male", 40), ("Ama", "spouse", "female", 35)])
    plot(s, 1, "ha", 1, "owned", "Kofi", 100)
    fill(s, [("main_crop/crop", "cocoa"), ("main_crop/n_seasons", 1)])
    season(s, 1, "main", "kg", 100, 100, 20, 0, "Kofi")
    fill(s, [("main_crop/main_control", "man")])
    other_crop(s, 1, "maize", 100, 100, 0, 10, 0, "woman")
    other_crop(s, 2, "cassava", 100, 100, 0, 2, 1_000, "man")
    assert (number(s, "main_net"), number(s, "other_crops_net")) == (2_000, 200)
    assert (number(s, "income_positive"), number(s, "women_income")) == (3_000, 1_000)
    assert number(s, "women_share_pct") == 33.3  # the summary's figure, rounded
    record = household_from_xml(
        s.to_xml(), LIVING_INCOME_MAPPING, instance_id="uuid:k", district="north"
    )
    [g] = [g for g in build_report("living_income_household", [record]).groups if g.by == "all"]
    assert g.women_share_pct is not None
    assert round(g.women_share_pct, 1) == number(s, "women_share_pct")


def flags(*inadequate: str) -> dict[str, bool]:
    return {d: d not in inadequate for d in DOMAINS}


WOMEN = [
    (flags(), flags()),  # c = 0 and the man's 0: empowered, parity
    (flags("input"), None),  # c = 1/5: adequate in exactly 80 %, empowered; no man
    (flags("input", "income"), flags("workload")),  # c = 0.4; the man's 0.2, censored to 0
    (flags("input", "credit", "group", "workload"), flags("input", "income", "group")),
]  # the last: c = 1/5 + 1/15 + 1/5 + 1/5 = 2/3; the man's 3/5


def test_5de_gpi_and_a_weai_follow_ifpri() -> None:
    """Item 7. H = 2/4; A = (0.4 + 2/3) / 2; 5DE = 1 − H × A = 0.7333 (the old 'mean score'
    was (1 + 0.8 + 0.6 + 1/3) / 4 = 0.6833). GPI over the 3 dual-adult households: the
    third woman lacks parity with a gap (0.4 − 0) / (1 − 0) = 0.4, the fourth with
    (2/3 − 3/5) / (1 − 3/5) = 1/6; H_GPI = 2/3, I_GPI = (0.4 + 1/6) / 2;
    GPI = 1 − H_GPI × I_GPI = 0.8111; A-WEAI = 0.9 × 5DE + 0.1 × GPI = 0.7411."""
    report = build_report("f", [household(f"w{i}", "gh_2024", 51_660, main=1, adequacy=w, men=m)
                                for i, (w, m) in enumerate(WOMEN)], benchmarks=TABLE)  # fmt: skip
    weai = group(report, "all", "all households", "gh_2024").weai
    assert weai is not None
    a = (0.4 + 2 / 3) / 2
    five_de = 1 - 0.5 * a
    gpi = 1 - (2 / 3) * ((0.4 + 1 / 6) / 2)
    assert weai.disempowered_share == pytest.approx(0.5)
    assert weai.mean_inadequacy == pytest.approx(a)
    assert weai.five_de == pytest.approx(0.733333, abs=1e-6) == five_de
    assert weai.gpi == pytest.approx(0.811111, abs=1e-6) == gpi
    assert weai.a_weai == pytest.approx(0.9 * five_de + 0.1 * gpi)
    assert (weai.index_label, weai.dual_adult, weai.women) == ("A-WEAI", 3, 4)
    assert weai.empowered_pct == pytest.approx(50) and weai.parity_pct == pytest.approx(100 / 3)
    assert weai.adequacy_pct["input"] == pytest.approx(25)  # only the first woman


def test_without_mens_data_the_index_is_the_5de_of_women() -> None:
    report = build_report("f", [household(f"w{i}", "gh_2024", 51_660, main=1, adequacy=w)
                                for i, (w, _) in enumerate(WOMEN)], benchmarks=TABLE)  # fmt: skip
    weai = report.groups[0].weai
    assert weai is not None
    assert (weai.index_label, weai.gpi, weai.a_weai) == ("5DE (women)", None, None)
    assert weai.index == pytest.approx(1 - 0.5 * (0.4 + 2 / 3) / 2)


def test_the_reference_household_comparison_beside_the_adjusted_one() -> None:
    """Item 14: 20,000 is above the adjusted 17,430 (1.5 of 2.4 units) but below the
    reference household's 27,888."""
    report = build_report("f", [household("a", "gh_2022", 27_888, main=20_000)], benchmarks=TABLE)
    g = report.groups[0]
    assert g.share_below_pct.value == 0 and g.share_below_reference_pct == 100


def test_income_by_source_and_per_adult_equivalent() -> None:
    """Item 16: three households (1.5 units each): main 10, 20, 60 thousand; wages 0, 0, 3,000;
    own consumption 900, 0, 0."""
    report = build_report("f", [
        household("a", "gh_2024", 51_660, main=10_000, own=900),
        household("b", "gh_2024", 51_660, main=20_000),
        household("c", "gh_2024", 51_660, main=60_000, wages=3_000),
    ], benchmarks=TABLE)  # fmt: skip
    g = report.groups[0]
    assert g.sources["main_crop"].mean == pytest.approx(30_000)
    assert g.sources["main_crop"].median == 20_000
    assert g.sources["wages"].mean == pytest.approx(1_000) and g.sources["wages"].median == 0
    assert g.sources["own_consumption"].mean == pytest.approx(300)
    totals = [10_900, 20_000, 63_000]
    assert g.income_per_adult_equivalent.mean == pytest.approx(sum(totals) / 3 / 1.5)
    assert g.income_per_adult_equivalent.median == pytest.approx(20_000 / 1.5)
    assert g.composition_pct["own_consumption"] == pytest.approx(100 * 900 / sum(totals))


def test_sample_weights_enter_every_estimate() -> None:
    """Item 17: incomes 10,000 (weight 3) and 30,000 (weight 1), adjusted benchmark 17,430:
    weighted mean (3 × 10,000 + 30,000) / 4 = 15,000; weighted median 10,000 (3 of 4 of the
    weight); share below 3 / 4."""
    report = build_report("f", [household("a", "gh_2022", 27_888, main=10_000, weight=3),
                                household("b", "gh_2022", 27_888, main=30_000, weight=1)],
                          benchmarks=TABLE)  # fmt: skip
    g = report.groups[0]
    assert g.mean_income.value == pytest.approx(15_000)
    assert g.median_income.value == 10_000
    assert g.share_below_pct.value == pytest.approx(75)
    assert g.fgt1 == pytest.approx(3 / 4 * (17_430 - 10_000) / 17_430)
    assert (g.n, g.weight) == (2, 4)
    assert g.mean_benchmark == pytest.approx(17_430)


def test_intervals_are_seeded_and_as_wide_as_the_sampling_error() -> None:
    """Item 17: 60 households earning 1,000 … 60,000: mean 30,500, standard error
    sd / √60 = 17,318 / 7.746 = 2,236; a 95 % interval about ± 1.96 × 2,236 = ± 4,383."""
    rows = [household(f"h{i}", "gh_2024", 51_660, main=1_000 * i) for i in range(1, 61)]
    first = build_report("f", rows, benchmarks=TABLE)
    again = build_report("f", list(reversed(rows)), benchmarks=TABLE)
    other = build_report("f", rows, benchmarks=TABLE, seed=99)
    g = first.groups[0]
    assert g.n == 60 and not g.small
    se = statistics.stdev([1_000 * i for i in range(1, 61)]) / 60**0.5
    low, high = g.mean_income.ci95
    assert low == pytest.approx(30_500 - 1.96 * se, abs=0.25 * se)
    assert high == pytest.approx(30_500 + 1.96 * se, abs=0.25 * se)
    assert again.groups[0].mean_income.ci95 == g.mean_income.ci95  # same seed, any order
    assert other.groups[0].mean_income.ci95 != g.mean_income.ci95
    for estimate in (g.share_below_pct, g.median_income, g.gap_pct):
        assert estimate.ci95[0] <= estimate.value <= estimate.ci95[1]
    one = build_report("f", rows[:1], benchmarks=TABLE).groups[0]
    assert one.small and one.mean_income.ci95 == (1_000, 1_000)

"""Three households answered through FormSession; every figure the form computes is
compared with the arithmetic written out here (LICOP / KIT method, see forms/library/README.md)."""

from __future__ import annotations

import pytest
from living_income_households import cote_divoire_cocoa, ghana_cocoa, kenya_diversified
from living_income_support import number, problems

approx = pytest.approx


def test_cote_divoire_cocoa_household() -> None:
    s = cote_divoire_cocoa()
    assert problems(s) == []
    # roster: 4 members aged 14+ (45, 38, 16, 67) and 2 children (12, 8)
    units = 1 + 0.5 * (4 - 1) + 0.3 * 2
    assert units == approx(3.1)
    assert number(s, "roster/equivalence_units") == approx(units)
    assert s.value("/data/roster/head_sex") == "male"
    assert s.value("/data/roster/head_count") == "1"
    assert (s.value("/data/roster/respondent_sex"), s.value("/data/roster/respondent_is_head")) == (
        "male",
        "yes",
    )
    # cocoa: 1,400 + 535 = 1,935 kg from 3 ha = 645 kg/ha
    assert number(s, "main_crop/yield_kg_ha") == approx(1935 / 3) == approx(645)
    sales = (1400 + 500) * 1148  # 2,181,200
    premiums = 50_000
    costs = (
        (120_000 + 45_000) + (20 * 2_500) + (10 * 3_000 + 15_000) + (20_000 + 10_000 + 5_000)
    )  # 295,000
    main_net = sales + premiums - costs  # 1,936,200
    assert number(s, "main_net") == approx(main_net) == approx(1_936_200)
    kept = (535 - 500) * 1148  # 40,180 kept, valued at the sale price
    plantain_net = 800 * 0.50 * 150 - 10_000  # 50,000
    plantain_eaten = 800 * 0.40 * 150  # 48,000
    assert number(s, "other_crops_net") == approx(plantain_net)
    own = kept + plantain_eaten  # 88,180
    assert number(s, "own_consumption") == approx(own)
    without_own = main_net + plantain_net  # 1,986,200
    total = without_own + own  # 2,074,380
    assert number(s, "income_without_own") == approx(without_own)
    assert number(s, "income_total") == approx(total) == approx(2_074_380)
    benchmark = (
        3_887_292 * units / 2.7
    )  # 2024 LICOP, reference household of 2.7 units: 4,463,187.11
    assert number(s, "benchmark_adjusted") == approx(benchmark)
    gap = benchmark - total  # 2,388,807.11
    assert number(s, "gap") == approx(gap)
    assert number(s, "gap_pct") == approx(round(gap / benchmark * 100, 1)) == approx(53.5)
    assert s.value("/data/position") == "below"
    # women: Aya received the mid-crop payment, but cocoa money is decided jointly: half of it
    # counts as hers (item 9: control, not payment); she alone decides on the plantain money
    women = main_net * 0.5 + plantain_net  # 1,018,100
    assert number(s, "women_income") == approx(women)
    assert (
        number(s, "women_share_pct") == approx(round(women / without_own * 100, 1)) == approx(51.3)
    )
    assert s.is_relevant("/data/summary/summary_below") and not s.is_relevant(
        "/data/summary/summary_above"
    )
    assert "2074380" in s.label("/data/summary/summary_income")


def test_ghana_female_headed_cocoa_household() -> None:
    s = ghana_cocoa()
    assert problems(s) == []
    units = 1 + 0.5 * (3 - 1) + 0.3 * 2  # 42, 19, 15 are 14+; 10 and 6 are children
    assert number(s, "roster/equivalence_units") == approx(units) == approx(2.6)
    assert s.value("/data/roster/head_sex") == "female"
    productive_ha = 5 * 0.404686 * 0.80  # 1.6187 ha
    harvest_kg = 12 * 64 + 3 * 30  # 858 kg
    assert number(s, "main_crop/yield_kg_ha") == approx(harvest_kg / productive_ha)
    sales = 12 * 64 * 48 + 2 * 30 * 48  # 36,864 + 2,880 = 39,744
    costs = 5 * 40 + 300 + 0 + 100  # 600
    main_net = sales - costs  # 39,144
    assert number(s, "main_net") == approx(main_net)
    own = 1 * 30 * 48 + 500 * 1.00 * 3  # 1,440 cocoa kept + 1,500 cassava eaten
    business = 300 * 10  # 3,000
    without_own = main_net + 0 + business  # cassava: nothing sold, no costs
    total = without_own + own  # 45,084
    assert number(s, "own_consumption") == approx(own)
    assert number(s, "business") == approx(business)
    assert number(s, "income_total") == approx(total) == approx(45_084)
    benchmark = 51_660 * units / 2.4  # 55,965
    assert number(s, "benchmark_adjusted") == approx(benchmark) == approx(55_965)
    gap = benchmark - total  # 10,881
    assert number(s, "gap") == approx(gap) == approx(10_881)
    assert number(s, "gap_pct") == approx(round(gap / benchmark * 100, 1)) == approx(19.4)
    women = main_net + business  # Ama decides on the cocoa and on her business money
    assert number(s, "women_income") == approx(women)
    assert number(s, "women_share_pct") == approx(round(women / without_own * 100, 1)) == 100


def test_the_same_ghana_household_is_above_the_2022_benchmark() -> None:
    s = ghana_cocoa("gh_cocoa_2022")
    benchmark = 27_888 * 2.6 / 2.4  # 30,212
    assert number(s, "benchmark_adjusted") == approx(benchmark)
    assert number(s, "gap") == 0 and number(s, "gap_pct") == 0
    assert s.value("/data/position") == "above"
    assert s.is_relevant("/data/summary/summary_above") and not s.is_relevant(
        "/data/summary/summary_below"
    )


def test_diversified_household_with_livestock_off_farm_work_and_remittances() -> None:
    s = kenya_diversified()
    assert problems(s) == []
    units = 1 + 0.5 * (3 - 1) + 0.3 * 1  # 50, 45, 17 are 14+; 11 is a child
    assert number(s, "roster/equivalence_units") == approx(units) == approx(2.3)
    assert number(s, "plots/total_ha") == approx(10_000 * 0.0001)
    main_net = 1200 * 90 + 6_000 - (8_000 + 30 * 300 + 2_000 + 1_000)  # 114,000 - 20,000
    assert number(s, "main_net") == approx(main_net) == approx(94_000)
    maize_net = 900 * 0.60 * 40 - 5_000  # 16,600
    cattle_net = 30_000 + 72_000 - 20_000 - 6_000  # 76,000
    fish_net = 0 + 45_000 - 150 * 1.5 * 60 - 4_000  # feed = harvest x FCR x feed price: 27,500
    assert number(s, "livestock_net") == approx(cattle_net + fish_net)
    wages = 500 * 10 * 6  # per day x days a month x months: 30,000
    business = 1_500 * 52 / 12 * 12  # per week -> per month -> 12 months: 78,000
    assert number(s, "wages") == approx(wages)
    assert number(s, "business") == approx(business)
    assert number(s, "remittances") == approx(24_000)
    assert number(s, "transfers") == approx(3_000)
    own = (
        0 + 900 * 0.30 * 40 + 18_000 + 5_000
    )  # coffee all sold; maize, milk and fish eaten: 33,800
    without_own = main_net + maize_net + cattle_net + fish_net + wages + business + 24_000 + 3_000
    assert without_own == approx(349_100)
    assert number(s, "income_without_own") == approx(without_own)
    assert number(s, "income_total") == approx(without_own + own) == approx(382_900)
    benchmark = 596_976 * units / 2.4  # 572,102
    assert number(s, "benchmark_adjusted") == approx(benchmark)
    gap = benchmark - (without_own + own)
    assert number(s, "gap") == approx(gap)
    assert number(s, "gap_pct") == approx(round(gap / benchmark * 100, 1)) == approx(33.1)
    women = (
        maize_net + cattle_net + business + 3_000
    )  # Achieng decides: maize, cattle, her business, aid
    assert number(s, "women_income") == approx(women) == approx(173_600)
    assert (
        number(s, "women_share_pct") == approx(round(women / without_own * 100, 1)) == approx(49.7)
    )


def test_women_module_scores_the_six_a_weai_domains() -> None:
    s = kenya_diversified()
    # some input in cash-crop decisions and could decide (1/5); a phone, a major asset (2/15);
    # no loan (0 of 1/15);
    # most decisions on income use (1/5); group member (1/5); 10.5 h of work is not more than 10.5 (1/5)
    assert number(s, "weai/dm[1]/work_hours") == approx(5 + 0.5 + 2 + 1 + 2)
    assert number(s, "weai/dm[1]/empowerment_score") == approx(
        round(1 / 5 + 2 / 15 + 0 + 1 / 5 + 1 / 5 + 1 / 5, 3)
    )
    assert s.value("/data/weai/dm[1]/empowered") == "yes"


def test_summary_screen_tells_the_household_in_words_and_numbers_in_each_language() -> None:
    s = cote_divoire_cocoa()
    expected = {
        "English (en)": (
            "main crop 1936200",
            "Total 2074380 (1986200 without",
            "3.1 equivalence units",
            "BELOW it by 2388807 XOF, 53.5 %",
        ),
        "Français (fr)": (
            "culture principale 1936200",
            "Total 2074380 (1986200 sans",
            "3.1 unités équivalentes",
            "EN DESSOUS, de 2388807 XOF, soit 53.5 %",
        ),
        "Español (es)": (
            "cultivo principal 1936200",
            "Total 2074380 (1986200 sin",
            "3.1 unidades equivalentes",
            "POR DEBAJO, por 2388807 XOF, el 53.5 %",
        ),
    }
    for language, phrases in expected.items():
        s.set_language(language)
        text = (
            s.label("/data/summary/summary_income") + " " + s.label("/data/summary/summary_below")
        )
        for phrase in phrases:
            assert phrase in text, (language, phrase, text)

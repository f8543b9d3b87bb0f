"""Three households answered through FormSession; every figure the form computes is
compared with the arithmetic written out here (LICOP / KIT method, see forms/library/README.md)."""

from __future__ import annotations

import pytest
from living_income_support import (
    ANIMAL,
    CROP,
    LABOUR,
    PLOT,
    SEASON,
    SOURCE,
    add,
    close,
    fill,
    new_session,
    number,
    problems,
    roster,
    start,
    women_module,
)

from forms.session import FormSession

approx = pytest.approx


def plot(
    session: FormSession, i: int, unit: str, area: float, tenure: str, owner: str, pct: int
) -> None:
    add(session, "/data/plots/plot", 1 if i > 1 else 0)  # the first instance is there
    fill(
        session,
        [
            (PLOT.format(i, "plot_area/area_unit"), unit),
            (PLOT.format(i, "plot_area/area"), area),
            (PLOT.format(i, "plot_area/area_method"), "gps"),
            (PLOT.format(i, "tenure"), tenure),
            *([(PLOT.format(i, "owner"), owner)] if tenure == "owned" else []),
            (PLOT.format(i, "manager"), owner),
            (PLOT.format(i, "has_main_crop"), "yes"),
            (PLOT.format(i, "productive_pct"), pct),
            (PLOT.format(i, "share_kind"), "none"),
        ],
    )


def season(
    session: FormSession,
    i: int,
    kind: str,
    unit: str,
    harvest: float,
    sold: float,
    price: float,
    premium: float,
    paid_to: str,
    kg_per_unit: float | None = None,
    form: str = "cocoa_dry",
) -> None:
    """What was not sold was kept in stock (nothing eaten, nothing lost)."""
    fill(
        session,
        [
            (SEASON.format(i, "season_unit/season_kind"), kind),
            (SEASON.format(i, "season_unit/product_form"), form),
            (SEASON.format(i, "season_unit/unit"), unit),
        ],
    )
    if kg_per_unit is not None:
        fill(session, [(SEASON.format(i, "kg_per_unit"), kg_per_unit)])
    fill(
        session,
        [
            (SEASON.format(i, "season_amounts/harvest_qty"), harvest),
            (SEASON.format(i, "season_amounts/sold_qty"), sold),
            (SEASON.format(i, "season_amounts/consumed_qty"), 0),
            (SEASON.format(i, "season_amounts/kept_qty"), harvest - sold),
            (SEASON.format(i, "season_amounts/lost_qty"), 0),
            (SEASON.format(i, "season_amounts/premium"), premium),
            (SEASON.format(i, "sale/price_per"), "kg"),
            (SEASON.format(i, "sale/price"), price),
            (SEASON.format(i, "sale/buyer"), "cooperative"),
            (SEASON.format(i, "sale/paid_to"), paid_to),
        ],
    )


def labour(
    session: FormSession,
    i: int,
    activity: str,
    hh_days: float,
    hired: float,
    wage: float | None,
    group_cost: float | None,
) -> None:
    add(session, "/data/costs/labour", 1 if i > 1 else 0)  # the first instance is there
    fill(
        session,
        [
            (LABOUR.format(i, "labour_days/activity"), activity),
            (LABOUR.format(i, "labour_days/hh_days"), hh_days),
            (LABOUR.format(i, "labour_days/hired_days"), hired),
            (LABOUR.format(i, "labour_days/group_labour"), "no" if group_cost is None else "yes"),
            (LABOUR.format(i, "labour_days/contract_labour"), "no"),
            *([(LABOUR.format(i, "labour_pay/wage"), wage)] if wage is not None else []),
            *(
                [(LABOUR.format(i, "labour_pay/group_cost"), group_cost)]
                if group_cost is not None
                else []
            ),
            *([(LABOUR.format(i, "labour_pay/inkind_cost"), 0)] if hired or group_cost else []),
        ],
    )


def other_costs(session: FormSession, transport: float, certification: float, other: float) -> None:
    base = "costs/other_costs/"
    fill(
        session,
        [
            (base + "transport_cost", transport),
            (base + "certification_cost", certification),
            (base + "rent_cost", 0),
            (base + "tools_cost", 0),
            (base + "interest_cost", 0),
            (base + "other_cost", other),
        ],
    )


def other_crop(
    session: FormSession,
    i: int,
    kind: str,
    kg: float,
    sold_pct: int,
    eaten_pct: int,
    price: float,
    costs: float,
    controller: str,
) -> None:
    add(session, "/data/other_crops/crop_other", 1 if i > 1 else 0)  # the first instance is there
    fill(session, [("other_crops/has_other_crops", "yes")])
    fill(
        session,
        [
            (CROP.format(i, "oc_kind"), kind),
            (CROP.format(i, "oc_unit"), "kg"),
            (CROP.format(i, "oc_harvest_qty"), kg),
            (CROP.format(i, "oc_sold_pct"), sold_pct),
            (CROP.format(i, "oc_consumed_pct"), eaten_pct),
            (CROP.format(i, "oc_costs"), costs),
            (CROP.format(i, "oc_control"), controller),
            (f"/data/other_crops/crop_other[{i}]/oc_price", price),
        ],
    )


def income_source(
    session: FormSession,
    i: int,
    kind: str,
    who: str,
    amount: float,
    period: str,
    days: int | None,
    months: int | None,
    decider: str,
) -> None:
    add(session, "/data/other_income/source", 1 if i > 1 else 0)  # the first instance is there
    fill(session, [("other_income/has_other_income", "yes")])
    fill(
        session,
        [
            (SOURCE.format(i, "src_main/src_kind"), kind),
            (SOURCE.format(i, "src_main/src_earner"), who),
            (SOURCE.format(i, "src_main/src_amount"), amount),
            (SOURCE.format(i, "src_main/src_period"), period),
            (SOURCE.format(i, "src_main/src_control"), decider),
            *([(SOURCE.format(i, "src_time/src_days"), days)] if days is not None else []),
            *([(SOURCE.format(i, "src_time/src_months"), months)] if months is not None else []),
        ],
    )


def cote_divoire_cocoa() -> FormSession:
    """Male-headed, 3 ha of cocoa at 645 kg/ha sold at 1,148 XOF/kg (a 2024 Côte d'Ivoire farm-gate price), 2024 benchmark."""
    s = new_session()
    start(s, "ci_cocoa_2024", "ci")
    roster(
        s,
        [
            ("Kouassi", "head", "male", 45),
            ("Aya", "spouse", "female", 38),
            ("Yao", "child", "male", 16),
            ("Affoue", "child", "female", 12),
            ("Koffi", "child", "male", 8),
            ("Adjoua", "parent", "female", 67),
        ],
    )
    plot(s, 1, "ha", 3, "owned", "Kouassi", 100)
    fill(s, [("main_crop/crop", "cocoa"), ("main_crop/n_seasons", 2)])
    season(s, 1, "main", "kg", 1400, 1400, 1148, 50_000, "Kouassi")
    season(s, 2, "mid", "kg", 535, 500, 1148, 0, "Aya")
    fill(s, [("main_crop/main_control", "joint")])
    fill(
        s,
        [
            ("costs/inputs", "fertiliser pesticide"),
            ("costs/input_details/qty_fertiliser", 300),
            ("costs/input_details/cost_fertiliser", 120_000),
            ("costs/input_details/qty_pesticide", 10),
            ("costs/input_details/cost_pesticide", 45_000),
        ],
    )
    labour(s, 1, "weeding", 30, 20, 2_500, None)
    labour(s, 2, "harvesting", 25, 10, 3_000, 15_000)
    other_costs(s, 20_000, 10_000, 5_000)
    other_crop(s, 1, "plantain", 800, 50, 40, 150, 10_000, "woman")
    fill(s, [("livestock/has_livestock", "no"), ("other_income/has_other_income", "no")])
    women_module(s, "Aya", "Kouassi")
    close(s)
    return s


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


def ghana_cocoa(benchmark: str = "gh_cocoa_2024") -> FormSession:
    """Female-headed; 5 acres, 80 % productive; bags of 64 kg and a local 30 kg basin."""
    s = new_session()
    start(s, benchmark, "gh")
    roster(
        s,
        [
            ("Ama", "head", "female", 42),
            ("Kwame", "child", "male", 19),
            ("Efua", "child", "female", 15),
            ("Kofi", "child", "male", 10),
            ("Akosua", "grandchild", "female", 6),
        ],
    )
    plot(s, 1, "acre", 5, "family", "Ama", 80)
    fill(s, [("main_crop/crop", "cocoa"), ("main_crop/n_seasons", 2)])
    season(s, 1, "main", "bag64", 12, 12, 48, 0, "Ama")
    season(s, 2, "mid", "other", 3, 2, 48, 0, "Kwame", kg_per_unit=30)
    fill(s, [("main_crop/main_control", "woman")])
    fill(s, [("costs/inputs", "none")])
    labour(s, 1, "harvesting", 20, 5, 40, None)
    other_costs(s, 300, 0, 100)
    other_crop(s, 1, "cassava", 500, 0, 100, 3, 0, "woman")
    fill(s, [("livestock/has_livestock", "no")])
    income_source(s, 1, "business", "Ama", 300, "month", None, 10, "woman")
    women_module(s, "Ama", "Kwame")
    close(s)
    return s


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


def kenya_diversified() -> FormSession:
    """Coffee, maize, dairy cattle, a fish pond, wage work, a business, remittances and aid."""
    s = new_session()
    start(s, "ke_kericho_2024", "ke")
    roster(
        s,
        [
            ("Otieno", "head", "male", 50),
            ("Achieng", "spouse", "female", 45),
            ("Awino", "child", "female", 17),
            ("Ouma", "child", "male", 11),
        ],
    )
    plot(s, 1, "m2", 10_000, "owned", "Otieno", 100)
    fill(s, [("main_crop/crop", "coffee"), ("main_crop/n_seasons", 1)])
    season(s, 1, "year", "kg", 1200, 1200, 90, 6_000, "Otieno", form="coffee_cherry")
    fill(s, [("main_crop/main_control", "man")])
    fill(
        s,
        [
            ("costs/inputs", "fertiliser"),
            ("costs/input_details/qty_fertiliser", 100),
            ("costs/input_details/cost_fertiliser", 8_000),
        ],
    )
    labour(s, 1, "harvesting", 40, 30, 300, None)
    other_costs(s, 2_000, 0, 1_000)
    other_crop(s, 1, "maize", 900, 60, 30, 40, 5_000, "woman")
    fill(s, [("livestock/has_livestock", "yes")])
    add(s, "/data/livestock/animal", 1)
    fill(s, [(ANIMAL.format(1, "lv_kind"), "cattle"), (ANIMAL.format(2, "lv_kind"), "fish")])
    for i, values in [
        (
            1,
            {
                "lv_animal_sales": 30_000,
                "lv_product_sales": 72_000,
                "lv_consumed_value": 18_000,
                "lv_feed_cost": 20_000,
                "lv_other_cost": 6_000,
                "lv_owner": "Otieno",
                "lv_control": "woman",
            },
        ),
        (
            2,
            {
                "lv_animal_sales": 0,
                "lv_product_sales": 45_000,
                "lv_consumed_value": 5_000,
                "fish_kg": 150,
                "fcr": 1.5,
                "feed_price": 60,
                "lv_other_cost": 4_000,
                "lv_owner": "Otieno",
                "lv_control": "man",
            },
        ),
    ]:
        fill(s, [(ANIMAL.format(i, "lv_amounts/" + k), v) for k, v in values.items()])
    income_source(s, 1, "nonfarm_wage", "Otieno", 500, "day", 10, 6, "man")
    income_source(s, 2, "business", "Achieng", 1_500, "week", None, 12, "woman")
    income_source(s, 3, "remittance", "Otieno", 24_000, "year", None, None, "man")
    income_source(s, 4, "transfer", "Achieng", 3_000, "year", None, None, "woman")
    women_module(s, "Achieng", "Otieno")
    close(s)
    return s


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

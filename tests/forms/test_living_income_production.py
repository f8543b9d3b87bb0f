"""Issue #16 items 2, 4, 9, 10, 11 and 12 on households answered through FormSession: each
expected figure is worked out here by hand from the answers, not read from the form.

KIT/COSA, "Guidance on calculating household income" (2020): the value of production counts
what is sold, eaten and kept, at the household's own price or, when nothing was sold, a
farm-gate reference price; losses count nothing; the sharecropper's share, land rent, tools,
interest and every kind of hired labour are costs; members away six months or more are not
counted in the household size."""

from __future__ import annotations

import pytest
from living_income_households import ghana_cocoa, kenya_diversified, plot
from living_income_support import LIBRARY, PLOT, SEASON, fill, number, problems

from sync.server.report.household import LIVING_INCOME_MAPPING, household_from_xml

approx = pytest.approx
ACRE = 0.404686
GHANA_COSTS = 5 * 40 + 300 + 0 + 100  # hired harvest days, transport, certification, other


def test_unsold_cocoa_is_valued_at_the_reference_price_and_losses_at_nothing() -> None:
    """Item 4. Ghana's mid crop (3 basins of 30 kg): nothing sold, 2 basins kept, 1 lost. The
    interview is in January 2025, so the 12 months recalled centre on 2024: COCOBOD's
    2024/25 price, GH¢48,000 a tonne (prices.csv), values what was kept."""
    s = ghana_cocoa()
    season2 = [("sold_qty", 0), ("kept_qty", 2), ("lost_qty", 1)]
    fill(s, [(SEASON.format(2, f"season_amounts/{k}"), v) for k, v in season2])
    assert not s.is_relevant(SEASON.format(2, "sale/price"))
    assert not s.is_relevant(SEASON.format(2, "own_price")), "prices.csv has the price"
    reference = 48_000 / 1000
    kept = 2 * 30 * reference  # 2,880; the lost basin is worth nothing
    main_net = 12 * 64 * 48 - GHANA_COSTS  # only the main season's 12 bags were sold
    assert number(s, "main_net") == approx(main_net) == approx(36_264)
    assert number(s, "own_consumption") == approx(kept + 500 * 3)  # + cassava eaten
    assert problems(s) == []


def test_without_a_reference_price_the_household_says_what_it_could_have_sold_for() -> None:
    """Items 4 and 2. Kenya's coffee (no row in prices.csv): all 1,200 kg kept, valued at the
    farm-gate price the household gives (80 KES/kg); the crop's net is then negative (its
    costs remain), which the form asks to confirm although the household's total is not."""
    s = kenya_diversified()
    fill(
        s,
        [
            (SEASON.format(1, "season_amounts/sold_qty"), 0),
            (SEASON.format(1, "season_amounts/kept_qty"), 1200),
        ],
    )
    assert s.is_relevant(SEASON.format(1, "own_price"))
    fill(s, [(SEASON.format(1, "own_price"), 80)])
    costs = 8_000 + 30 * 300 + 2_000 + 1_000
    assert number(s, "main_net") == approx(6_000 - costs) == approx(-14_000)
    assert number(s, "own_consumption") == approx(1200 * 80 + 900 * 0.30 * 40 + 18_000 + 5_000)
    assert s.is_relevant("/data/costs/main_negative_ok")
    assert not s.is_relevant("/data/summary/negative_ok")
    assert [p.place.field for p in s.validate()] == ["/data/costs/main_negative_ok"]


def test_wet_cocoa_sold_by_the_bag_and_cassava_in_basins() -> None:
    """Item 11. The main season's 12 bags of 64 kg are wet beans sold at GH¢3,000 a bag:
    the price per kg is 3,000 / 64, and units.csv turns wet beans into dry ones (× 0.4) for
    the yield. Cassava is counted in basins: 30 kg each in units.csv."""
    s = ghana_cocoa()
    fill(
        s,
        [
            (SEASON.format(1, "season_unit/product_form"), "cocoa_wet"),
            (SEASON.format(1, "sale/price_per"), "bag64"),
            (SEASON.format(1, "sale/price"), 3_000),
            ("/data/other_crops/crop_other[1]/oc_amounts/oc_unit", "basin"),
            ("/data/other_crops/crop_other[1]/oc_amounts/oc_harvest_qty", 10),
        ],
    )
    assert not s.is_relevant("/data/other_crops/crop_other[1]/oc_kg_per_unit")
    sales = 12 * 64 * (3_000 / 64) + 2 * 30 * 48  # 36,000 wet + the mid crop's 2,880 dry
    assert number(s, "main_sales") == approx(sales)
    dry_kg = 12 * 64 * 0.4 + 3 * 30  # 307.2 + 90
    assert number(s, "main_crop/yield_kg_ha") == approx(dry_kg / (5 * ACRE * 0.8))
    assert number(s, "own_consumption") == approx(1 * 30 * 48 + 10 * 30 * 3)
    fill(s, [("/data/other_crops/crop_other[1]/oc_amounts/oc_unit", "other")])
    fill(s, [("/data/other_crops/crop_other[1]/oc_kg_per_unit", 12)])
    assert number(s, "own_consumption") == approx(1 * 30 * 48 + 10 * 12 * 3)


def test_sharecropping_rent_tools_interest_task_work_and_pay_in_kind_are_costs() -> None:
    """Item 10. Ama adds an owned hectare; her 5 acres (80 % productive) are worked under
    abunu: half their harvest goes to the landowner. The harvest is shared in proportion
    to each plot's productive area."""
    s = ghana_cocoa()
    plot(s, 2, "ha", 1, "owned", "Ama", 100)
    fill(s, [(PLOT.format(1, "share_kind"), "abunu"), (PLOT.format(1, "share_pct"), 50)])
    base = "/data/costs/"
    fill(
        s,
        [
            (base + "other_costs/rent_cost", 500),
            (base + "other_costs/tools_cost", 200),
            (base + "other_costs/interest_cost", 100),
            (base + "labour[1]/labour_days/contract_labour", "yes"),
            (base + "labour[1]/labour_pay/task_cost", 150),
            (base + "labour[1]/labour_pay/inkind_cost", 50),
        ],
    )
    shared_ha = 5 * ACRE * 0.8
    fraction = shared_ha * 0.5 / (shared_ha + 1)  # 0.309
    sales = 12 * 64 * 48 + 2 * 30 * 48  # 39,744
    kept = 1 * 30 * 48  # 1,440
    share_paid = (sales + kept) * fraction  # the landowner's half of the shared plot
    costs = GHANA_COSTS + 500 + 200 + 100 + 150 + 50
    assert number(s, "main_share_paid") == approx(share_paid)
    assert number(s, "main_net") == approx(sales - costs - share_paid)


def test_control_not_payment_decides_the_womens_share_on_positive_sources_only() -> None:
    """Item 9. Otieno is paid for his wage work but decides on it jointly with Achieng: half
    counts as hers. Her fish pond now loses money: a loss is no income she controls, and the
    share is over the sources with a positive net income, so it stays within 0-100 %."""
    s = kenya_diversified()
    fill(
        s,
        [
            ("/data/other_income/source[1]/src_main/src_control", "joint"),
            ("/data/livestock/animal[2]/lv_amounts/lv_other_cost", 40_000),
            ("/data/livestock/animal[2]/lv_amounts/lv_control", "woman"),
        ],
    )
    fish_net = 45_000 - 150 * 1.5 * 60 - 40_000  # -8,500
    assert number(s, "livestock_net") == approx(76_000 + fish_net)
    women = 16_600 + 76_000 + 78_000 + 3_000 + 30_000 * 0.5  # maize, cattle, business, aid, wages
    positive = 94_000 + 16_600 + 76_000 + 30_000 + 78_000 + 24_000 + 3_000
    assert number(s, "women_income") == approx(women) == approx(188_600)
    assert number(s, "income_positive") == approx(positive)
    assert number(s, "women_share_pct") == approx(round(women / positive * 100, 1)) == 58.6


def test_members_away_six_months_or_more_are_not_counted_in_the_household_size() -> None:
    """Item 12. Kwame (19) worked in town 8 months of the year: the household counts Ama,
    Efua (15) and two children, and the report reads the same members' ages."""
    s = ghana_cocoa()
    fill(s, [("/data/roster/member[2]/person/months_away", 8)])
    units = 1 + 0.5 * (2 - 1) + 0.3 * 2
    assert number(s, "roster/equivalence_units") == approx(units) == approx(2.1)
    assert number(s, "benchmark_adjusted") == approx(51_660 * units / 2.4)
    record = household_from_xml(
        s.to_xml(), LIVING_INCOME_MAPPING, instance_id="uuid:away", district="west"
    )
    assert record.member_ages == (42, 15, 10, 6)
    hint = next(
        line
        for line in (LIBRARY / "living_income_household.md").read_text().splitlines()
        if "| hh_size |" in line
    )
    assert "6 months or more" in hint and "not counted" in hint

"""The three households of the living income tests, answered through FormSession: a
Côte d'Ivoire cocoa farm, a female-headed Ghana cocoa farm and a diversified Kenyan farm
(coffee, maize, cattle, a fish pond, wages, a business, remittances and aid)."""

from __future__ import annotations

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
    roster,
    start,
    women_module,
)

from forms.session import FormSession


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

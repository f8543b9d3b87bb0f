"""Submissions of the shipped living income questionnaire, answered through `FormSession`.

Each household is interviewed the way an enumerator would fill the form: a roster of 2–9
members (head first), 1–4 plots, 1–2 seasons of the main crop, inputs, 1–4 labour
activities, other crops, animals and other income sources, the A-WEAI module for the woman
(and the man of a dual-adult household) when an adult woman is listed. A seeded RNG varies every answer, so no two households are alike, and the form's
own calculations (income by source, equivalence units, the benchmark, the gap, the women's
share, the A-WEAI adequacies) fill the instance as they would on a tablet. The submission
is the session's instance XML (about 11 kB), with the instanceID the caller gives.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import random
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from forms.definition import FormDefinition
from forms.session import FormSession
from forms.xform_reader import read_xform
from forms.xpath import Environment

ASSETS = Path(__file__).resolve().parents[1] / "assets" / "forms"
FORM = ASSETS / "living_income_household.xml"
BENCHMARKS_CSV = ASSETS / "benchmarks.csv"
TABLES = (BENCHMARKS_CSV, ASSETS / "prices.csv", ASSETS / "units.csv", ASSETS / "weights.csv")
FORM_ID = "living_income_household"
NOW = dt.datetime(2026, 1, 10, 8, 0, tzinfo=dt.UTC)

NAMES = ("Kouassi", "Aya", "Yao", "Affoue", "Koffi", "Adjoua", "Ama", "Kwame", "Efua", "Kofi",
         "Akosua", "Otieno", "Achieng", "Awino", "Ouma", "Mariam", "Issa", "Fatou")  # fmt: skip
RELATIONS = ("spouse", "child", "child", "child", "grandchild", "parent", "sibling", "worker")
CROPS = ("cocoa", "cocoa", "coffee", "cashew", "cotton")
UNITS = (("kg", 1.0), ("kg", 1.0), ("bag64", 64.0), ("other", 30.0))
INPUTS = ("fertiliser", "herbicide", "pesticide", "fungicide", "seedlings", "other_input")
LABOUR = ("clearing", "planting", "weeding", "pruning", "spraying", "harvesting", "drying")
OTHER_CROPS = ("maize", "cassava", "plantain", "yam", "rice", "vegetables", "fruit")
ANIMALS = ("cattle", "small_ruminants", "pigs", "poultry", "fish", "bees")
SOURCES = ("farm_wage", "nonfarm_wage", "government", "business", "remittance", "transfer")
PERIODS = ("day", "week", "month", "year")
LEVELS = ("none", "little", "some", "most")
EXTENTS = ("not_at_all", "small", "medium", "high")
CONTROL = ("woman", "man", "joint")
T = TypeVar("T")
ASSETS_OWNED = ("land", "house", "large_livestock", "poultry", "phone", "hand_tools", "transport")
CREDIT = ("ngo", "informal", "formal", "friends", "group", "savings")
GROUPS = ("producers", "credit", "religious", "women", "none")
WORK = ("farming", "livestock", "cooking", "domestic", "childcare", "travel", "shopping")
TIME_USE = ("sleep", "eat", "self_care", "school", "employed", "business", "farming", "livestock",
            "fishing", "shopping", "weaving", "cooking", "domestic", "construction", "childcare",
            "adultcare", "travel", "media", "social", "religious", "other")  # fmt: skip


@functools.cache
def definition() -> FormDefinition:
    return read_xform(FORM.read_text(encoding="utf-8"), source_name=FORM.name)


@functools.cache
def _benchmarks() -> tuple[dict[str, str], ...]:
    with BENCHMARKS_CSV.open(encoding="utf-8", newline="") as stream:
        return tuple(csv.DictReader(stream))


class Interview:
    """One household's interview; `answer` fails loudly on a refused answer."""

    def __init__(self, rng: random.Random, sizes: tuple[int, int] | None = None) -> None:
        self.rng = rng
        self.sizes = sizes
        """(members, plots) when the caller sets them, else drawn."""
        env = Environment(
            now=lambda: NOW,
            rng=random.Random(rng.getrandbits(32)),
            properties={"deviceid": "bench:1"},
        )
        attachments = {table.name: table.read_bytes() for table in TABLES}
        self.session = FormSession.new(definition(), attachments=attachments, env=env)
        self.names: list[str] = []

    def answer(self, ref: str, value: Any) -> None:
        full = ref if ref.startswith("/") else "/data/" + ref
        result = self.session.answer(full, value)
        if not result.ok:
            raise RuntimeError(f"{full} = {value!r} refused: {result.message}")

    def confirm_if_asked(self, ref: str) -> None:
        if self.session.is_relevant(ref if ref.startswith("/") else "/data/" + ref):
            self.answer(ref, "confirmed")

    def money(self, low: float, high: float) -> float:
        return round(self.rng.uniform(low, high), -1)

    def person(self) -> str:
        return self.rng.choice(self.names)

    def each(self, repeat: str, items: Sequence[T]) -> Iterator[tuple[str, T]]:
        """(ref of `repeat`'s instance + "/", item), an instance added per item after the
        first (which the form starts with)."""
        for i, item in enumerate(items, start=1):
            if i > 1:
                self.session.add_repeat(repeat)
            yield f"{repeat}[{i}]/", item


def _identification(it: Interview, number: int) -> dict[str, str]:
    bench = it.rng.choice(_benchmarks())
    it.answer("identification/enumerator", f"e0{1 + number % 4}")
    it.answer("identification/household_id", f"HH-{number:07d}")
    it.answer("identification/country", bench["country"])
    it.answer("identification/village", f"Village {it.rng.randint(1, 60)}")
    lat, lon = it.rng.uniform(5, 8), it.rng.uniform(-7, -3)
    it.answer("identification/gps", f"{lat:.6f} {lon:.6f} {it.rng.randint(80, 400)}.0 5.0")
    it.answer("benchmark", bench["name"])
    it.answer("consent", "yes")
    return bench


def _roster(it: Interview) -> None:
    size = it.rng.randint(2, 9) if it.sizes is None else it.sizes[0]
    it.names = it.rng.sample(NAMES, size)
    it.answer("roster/hh_size", size)
    for i, name in enumerate(it.names, start=1):
        head = i == 1
        age = it.rng.randint(25, 70) if head else it.rng.choice((it.rng.randint(0, 17), 40))
        base = f"/data/roster/member[{i}]/"
        it.answer(base + "person/name", name)
        it.answer(base + "person/relation", "head" if head else it.rng.choice(RELATIONS))
        it.answer(base + "person/sex", it.rng.choice(("male", "male", "female") if head else ("female", "male")))  # fmt: skip
        it.answer(base + "person/age", age)
        it.answer(base + "person/months_away", it.rng.choice((0, 0, 0, 2)))
        if age >= 5:
            school = "schooling/education"
            it.answer(base + school, it.rng.choice(("none", "primary", "secondary")))
            kinds = ("school",) if age < 15 else ("own_farm", "livestock", "nonfarm", "domestic")
            picked = it.rng.sample(kinds, it.rng.randint(1, len(kinds)))
            it.answer(base + "schooling/activities", " ".join(picked))
    it.answer("roster/respondent", it.rng.choice(it.names))


def _plots(it: Interview) -> None:
    plots = it.rng.randint(1, 4) if it.sizes is None else it.sizes[1]
    for base, _ in it.each("/data/plots/plot", range(plots)):
        unit, area = it.rng.choice(
            (("ha", it.rng.uniform(0.3, 6)), ("acre", it.rng.uniform(1, 12)))
        )
        tenure = it.rng.choice(("owned", "owned", "rented", "family", "sharecropped"))
        it.answer(base + "plot_area/area_unit", unit)
        it.answer(base + "plot_area/area", round(area, 2))
        it.answer(base + "plot_area/area_method", it.rng.choice(("gps", "tape", "reported")))
        it.answer(base + "tenure", tenure)
        if tenure == "owned":
            it.answer(base + "owner", it.names[0])
        it.answer(base + "manager", it.person())
        it.answer(base + "has_main_crop", "yes")
        it.answer(base + "productive_pct", it.rng.choice((100, 100, 90, 80, 60)))
        share = it.rng.choice(("none", "none", "none", "abunu", "abusa"))
        it.answer(base + "share_kind", share)
        if share != "none":
            it.answer(base + "share_pct", {"abunu": 50, "abusa": 33}[share])


def _main_crop(it: Interview, bench: dict[str, str]) -> None:
    seasons = it.rng.randint(1, 2)
    crop = it.rng.choice(CROPS)
    it.answer("main_crop/crop", crop)
    it.answer("main_crop/n_seasons", seasons)
    low = float(bench["price_min"] or 100)
    high = float(bench["price_max"] or 2000)
    for i in range(1, seasons + 1):
        base = f"/data/main_crop/season[{i}]/"
        unit, kg = it.rng.choice(UNITS)
        it.answer(base + "season_unit/season_kind", ("main", "mid")[i - 1] if seasons > 1 else "year")  # fmt: skip
        it.answer(base + "season_unit/product_form", {"cocoa": "cocoa_dry", "coffee": "coffee_parchment", "cashew": "cashew_raw", "cotton": "cotton_seed"}[crop])  # fmt: skip
        it.answer(base + "season_unit/unit", unit)
        if unit == "other":
            it.answer(base + "kg_per_unit", kg)
        harvest = round(it.rng.uniform(300, 2500) / kg, 1)
        sold = round(harvest * it.rng.choice((1.0, 0.95, 0.9, 0.8)), 1)
        it.answer(base + "season_amounts/harvest_qty", harvest)
        it.answer(base + "season_amounts/sold_qty", sold)
        it.answer(base + "season_amounts/consumed_qty", 0)
        it.answer(base + "season_amounts/kept_qty", round(harvest - sold, 1))
        it.answer(base + "season_amounts/lost_qty", 0)
        it.answer(base + "season_amounts/premium", it.rng.choice((0, 0, it.money(1000, 80_000))))
        it.answer(base + "sale/price_per", "kg")
        it.answer(base + "sale/price", round(it.rng.uniform(low, high), 2))
        it.answer(base + "sale/buyer", it.rng.choice(("cooperative", "trader", "company")))
        it.answer(base + "sale/paid_to", it.person())
        it.confirm_if_asked(base + "price_ok")
    it.confirm_if_asked("main_crop/yield_ok")
    it.answer("main_crop/main_control", it.rng.choice(CONTROL))


def _costs(it: Interview) -> None:
    used = it.rng.sample(INPUTS, it.rng.randint(0, 3))
    it.answer("costs/inputs", " ".join(used) or "none")
    for kind in used:
        it.answer(f"costs/input_details/qty_{kind}", it.rng.randint(1, 400))
        it.answer(f"costs/input_details/cost_{kind}", it.money(1000, 150_000))
    for base, activity in it.each("/data/costs/labour", it.rng.sample(LABOUR, it.rng.randint(1, 4))):  # fmt: skip
        hired = it.rng.choice((0, it.rng.randint(1, 30)))
        group = it.rng.random() < 0.2
        it.answer(base + "labour_days/activity", activity)
        it.answer(base + "labour_days/hh_days", it.rng.randint(2, 60))
        it.answer(base + "labour_days/hired_days", hired)
        it.answer(base + "labour_days/group_labour", "yes" if group else "no")
        it.answer(base + "labour_days/contract_labour", "no")
        if hired:
            it.answer(base + "labour_pay/wage", it.money(500, 3500))
        if group:
            it.answer(base + "labour_pay/group_cost", it.money(1000, 20_000))
        if hired or group:
            it.answer(base + "labour_pay/inkind_cost", it.rng.choice((0, it.money(100, 5_000))))
    for cost in ("transport_cost", "certification_cost", "rent_cost", "tools_cost", "interest_cost", "other_cost"):  # fmt: skip
        it.answer(f"costs/other_costs/{cost}", it.rng.choice((0, it.money(100, 30_000))))


def _other_crops(it: Interview) -> None:
    kinds = it.rng.sample(OTHER_CROPS, it.rng.randint(0, 3))
    it.answer("other_crops/has_other_crops", "yes" if kinds else "no")
    for base, kind in it.each("/data/other_crops/crop_other", kinds):
        sold = it.rng.choice((0, 30, 50, 70))
        it.answer(base + "oc_amounts/oc_kind", kind)
        it.answer(base + "oc_amounts/oc_unit", "kg")
        it.answer(base + "oc_amounts/oc_harvest_qty", it.rng.randint(50, 1500))
        it.answer(base + "oc_amounts/oc_sold_pct", sold)
        it.answer(base + "oc_amounts/oc_consumed_pct", it.rng.randint(0, 100 - sold))
        it.answer(base + "oc_amounts/oc_costs", it.rng.choice((0, it.money(500, 20_000))))
        it.answer(base + "oc_amounts/oc_control", it.rng.choice(CONTROL))
        if it.session.is_relevant(base + "oc_price"):
            it.answer(base + "oc_price", it.money(50, 600))


def _livestock(it: Interview) -> None:
    kinds = it.rng.sample(ANIMALS, it.rng.randint(0, 2))
    it.answer("livestock/has_livestock", "yes" if kinds else "no")
    for base, kind in it.each("/data/livestock/animal", kinds):
        it.answer(base + "lv_kind", kind)
        for field in ("lv_animal_sales", "lv_product_sales", "lv_consumed_value"):
            it.answer(base + "lv_amounts/" + field, it.rng.choice((0, it.money(1000, 80_000))))
        if kind == "fish":
            it.answer(base + "lv_amounts/fish_kg", it.rng.randint(20, 300))
            it.answer(base + "lv_amounts/fcr", round(it.rng.uniform(1.1, 2.0), 2))
            it.answer(base + "lv_amounts/feed_price", it.money(20, 200))
        else:
            it.answer(base + "lv_amounts/lv_feed_cost", it.money(0, 30_000))
        it.answer(base + "lv_amounts/lv_other_cost", it.money(0, 10_000))
        it.answer(base + "lv_amounts/lv_owner", it.person())
        it.answer(base + "lv_amounts/lv_control", it.rng.choice(CONTROL))


def _other_income(it: Interview) -> None:
    kinds = it.rng.sample(SOURCES, it.rng.randint(0, 3))
    it.answer("other_income/has_other_income", "yes" if kinds else "no")
    for base, kind in it.each("/data/other_income/source", kinds):
        period = it.rng.choice(PERIODS)
        it.answer(base + "src_main/src_kind", kind)
        it.answer(base + "src_main/src_earner", it.person())
        it.answer(base + "src_main/src_amount", it.money(10, 30_000))
        it.answer(base + "src_main/src_period", period)
        it.answer(base + "src_main/src_control", it.rng.choice(CONTROL))
        if period == "day":
            it.answer(base + "src_time/src_days", it.rng.randint(1, 25))
        if period != "year":
            it.answer(base + "src_time/src_months", it.rng.randint(1, 12))


def _adults(it: Interview, sex: str) -> list[str]:
    return [
        name
        for i, name in enumerate(it.names, start=1)
        if it.session.value(f"/data/roster/member[{i}]/person/sex") == sex
        and int(it.session.value(f"/data/roster/member[{i}]/person/age")) >= 18
    ]


def _empowerment(it: Interview) -> None:
    """The woman's A-WEAI module, then the man's in a dual-adult household."""
    if not it.session.is_relevant("/data/weai"):
        return
    for i, sex in enumerate(("female", "male")[: int(it.session.value("/data/weai/weai_count"))], start=1):  # fmt: skip
        base = f"/data/weai/dm[{i}]/"
        it.answer(base + "dm_who/dm_name", it.rng.choice(_adults(it, sex)))
        it.answer(base + "dm_who/dm_private", it.rng.choice(("private", "overheard", "present")))
        for n in range(1, 7):
            act = f"{base}act[{n}]/"
            it.answer(act + "act_q/part", it.rng.choice(("yes", "no")))
            if it.session.value(act + "act_q/part") == "yes":
                if n <= 4:
                    it.answer(act + "act_d/input", it.rng.choice(LEVELS))
                it.answer(act + "act_d/could", it.rng.choice(EXTENTS))
                it.answer(act + "act_d/income_input", it.rng.choice(LEVELS))
        res = base + "dm_resources/"
        it.answer(res + "assets", " ".join(it.rng.sample(ASSETS_OWNED, it.rng.randint(1, 3))))
        borrowed = it.rng.sample(CREDIT, it.rng.choice((0, 0, 1, 2)))
        it.answer(res + "credit_sources", " ".join(borrowed) or "none")
        for source in borrowed:
            it.answer(base + f"dm_credit/cr_{source}", it.rng.choice(("self", "joint", "others")))
        it.answer(res + "groups", it.rng.choice(GROUPS))
        work = [it.rng.choice((0, 0.5, 1, 2)) for _ in WORK]
        hours = {"sleep": 8, "eat": 1.5, **dict(zip(WORK, work, strict=True))}
        for activity in TIME_USE:
            it.answer(base + f"dm_time/t_{activity}", hours.get(activity, 0))
        it.answer(
            base + "wm_training", it.rng.choice(("agriculture", "finance", "business", "none"))
        )


def household_xml(number: int, seed: int = 7, sizes: tuple[int, int] | None = None) -> str:
    """Household `number`'s submission (instanceID `uuid:bench-<number>`), the same for a
    given `number` and `seed`; `sizes` sets its (members, plots) instead of drawing them."""
    it = Interview(random.Random(seed * 1_000_003 + number), sizes)
    bench = _identification(it, number)
    _roster(it)
    _plots(it)
    _main_crop(it, bench)
    _costs(it)
    _other_crops(it)
    _livestock(it)
    _other_income(it)
    _empowerment(it)
    it.confirm_if_asked("costs/main_negative_ok")
    it.confirm_if_asked("summary/negative_ok")
    it.answer("close/closing/rating", str(it.rng.randint(1, 5)))
    problems = it.session.validate()
    if problems:
        first = problems[0]
        raise RuntimeError(f"household {number}: {first.place.field}: {it.session.message(first)}")
    drawn = it.session.value("/data/meta/instanceID")  # the session's own uuid, replaced
    return it.session.to_xml().replace(drawn, f"uuid:bench-{number:07d}")


def households(count: int, start: int = 0, seed: int = 7) -> Iterator[str]:
    for number in range(start, start + count):
        yield household_xml(number, seed)

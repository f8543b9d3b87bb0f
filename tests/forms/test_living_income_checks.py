"""Every hard limit of the living income form refuses an impossible value (and keeps the
saved answer), and every warning asks for confirmation, each message in all three languages."""

from __future__ import annotations

import functools
from collections.abc import Callable

import pytest
from living_income_households import cote_divoire_cocoa, ghana_cocoa, kenya_diversified
from living_income_support import LANGUAGES, fill, load_session, problems, twin_rows

from forms.session import FormSession
from forms.session_paths import pattern_of

Household = Callable[[], FormSession]


@functools.cache
def saved(household: Household) -> str:
    return household().to_xml()


def resumed(household: Household) -> FormSession:
    """The household as saved and reopened: each test starts from the same answers, fast."""
    return load_session(saved(household))


# household, question, impossible value, what the English message says
HARD_LIMITS: list[tuple[Household, str, object, str]] = [
    (cote_divoire_cocoa, "/data/roster/hh_size", 31, "between 1 and 30 members"),
    (
        cote_divoire_cocoa,
        "/data/roster/member[2]/person/name",
        "Kouassi",
        "Two members have this name",
    ),
    (cote_divoire_cocoa, "/data/roster/member[2]/person/relation", "head", "only one head"),
    (cote_divoire_cocoa, "/data/roster/member[3]/person/age", 111, "between 0 and 110"),
    (cote_divoire_cocoa, "/data/roster/member[1]/person/age", 11, "head is at least 12"),
    (
        cote_divoire_cocoa,
        "/data/roster/member[1]/person/months_away",
        13,
        "Between 0 and 12 months",
    ),
    (cote_divoire_cocoa, "/data/plots/plot[1]/plot_area/area", 1001, "at most 1,000 ha"),
    (cote_divoire_cocoa, "/data/plots/plot[1]/productive_pct", 101, "between 0 and 100"),
    (cote_divoire_cocoa, "/data/main_crop/n_seasons", 4, "Between 1 and 3 seasons"),
    (ghana_cocoa, "/data/main_crop/season[2]/kg_per_unit", 250, "at most 200 kg"),
    (
        cote_divoire_cocoa,
        "/data/main_crop/season[1]/season_amounts/harvest_qty",
        -1,
        "cannot be negative",
    ),
    (
        cote_divoire_cocoa,
        "/data/main_crop/season[1]/season_amounts/sold_qty",
        1401,
        "cannot exceed the harvest",  # sold, eaten, kept and lost together (item 4)
    ),
    (cote_divoire_cocoa, "/data/main_crop/season[1]/sale/price", 0, "must be above 0"),
    (
        cote_divoire_cocoa,
        "/data/main_crop/season[1]/season_amounts/premium",
        -5,
        "cannot be negative",
    ),
    (cote_divoire_cocoa, "/data/costs/inputs", "none fertiliser", "'None' cannot be chosen"),
    (cote_divoire_cocoa, "/data/costs/labour[1]/labour_days/hired_days", 3651, "3,650 person-days"),
    (
        cote_divoire_cocoa,
        "/data/other_crops/crop_other[1]/oc_amounts/oc_consumed_pct",
        60,
        "cannot exceed 100 %",
    ),
    (
        kenya_diversified,
        "/data/livestock/animal[2]/lv_amounts/fcr",
        11,
        "Between 0 and 10 kg of feed",
    ),
    (
        kenya_diversified,
        "/data/other_income/source[1]/src_time/src_days",
        32,
        "Between 1 and 31 days",
    ),
    (
        kenya_diversified,
        "/data/other_income/source[1]/src_time/src_months",
        13,
        "Between 1 and 12 months",
    ),
    (kenya_diversified, "/data/weai/dm[1]/dm_time/t_farming", 20, "add up to at most 24"),
    (
        kenya_diversified,
        "/data/weai/dm[1]/dm_resources/assets",
        "none phone",
        "'None' cannot be chosen",
    ),
    (
        kenya_diversified,
        "/data/weai/dm[2]/dm_resources/credit_sources",
        "none ngo",
        "'None' cannot be chosen with a source",
    ),
    (
        kenya_diversified,
        "/data/weai/dm[1]/dm_resources/groups",
        "none women",
        "'None' cannot be chosen with a group",
    ),
    (kenya_diversified, "/data/weai/dm[1]/wm_training", "none finance", "'None' cannot be chosen"),
]


def messages_in_twin(name: str) -> dict[str, str]:
    row = next(r for r in twin_rows("survey") if r["name"] == name)
    return {lang: row[f"constraint_message::{lang}"] for lang in LANGUAGES}


@pytest.mark.parametrize(
    ("household", "ref", "value", "says"),
    HARD_LIMITS,
    ids=[f"{pattern_of(ref).rsplit('/', 1)[-1]}={value}" for _, ref, value, _ in HARD_LIMITS],
)
def test_hard_limit_refuses_the_value_in_every_language(
    household: Household, ref: str, value: object, says: str
) -> None:
    session = resumed(household)
    before = session.to_xml()
    expected = messages_in_twin(pattern_of(ref).rsplit("/", 1)[-1])
    assert len(set(expected.values())) == 3, "the message is translated"
    for language in LANGUAGES:
        session.set_language(language)
        result = session.answer(ref, value)
        assert not result.ok
        assert result.message == expected[language]
    assert says in expected[LANGUAGES[0]]
    assert session.to_xml() == before, "a refused answer changes nothing"


# household, answers that make the value unusual, the warning that must be confirmed
WARNINGS: list[tuple[Household, list[tuple[str, object]], str, str]] = [
    (
        cote_divoire_cocoa,
        [("plots/plot[1]/plot_area/area", 25)],
        "/data/plots/plot[1]/large_plot_ok",
        "larger than 20 ha",
    ),
    (
        cote_divoire_cocoa,
        [("main_crop/season[1]/sale/price", 900)],
        "/data/main_crop/season[1]/price_ok",
        "1000 to 1800 XOF per kg",
    ),
    (
        cote_divoire_cocoa,
        [("main_crop/season[1]/season_amounts/harvest_qty", 5000)],
        "/data/main_crop/yield_ok",
        "cocoa yield is 1845 kg/ha",  # (5,000 + 535) kg / 3 ha
    ),
    (
        cote_divoire_cocoa,
        [("other_crops/crop_other[1]/oc_amounts/oc_costs", 3_000_000)],
        "/data/summary/negative_ok",
        "negative (-915620 XOF)",  # 2,074,380 - (3,000,000 - 10,000): cocoa still earns
    ),
    (
        kenya_diversified,
        [("costs/other_costs/other_cost", 101_000)],
        "/data/costs/main_negative_ok",
        "negative (-6000 KES)",  # item 2: 94,000 - 100,000, while the total stays positive
    ),
]


@pytest.mark.parametrize(
    ("household", "answers", "warning", "says"),
    WARNINGS,
    ids=[w.rsplit("/", 1)[-1] for _, _, w, _ in WARNINGS],
)
def test_warning_is_shown_in_every_language_and_must_be_confirmed(
    household: Household, answers: list[tuple[str, object]], warning: str, says: str
) -> None:
    session = resumed(household)
    assert not session.is_relevant(warning)
    fill(session, answers)
    assert session.is_relevant(warning)
    assert [p.place.field for p in session.validate()] == [warning]
    row = next(r for r in twin_rows("survey") if r["name"] == warning.rsplit("/", 1)[-1])
    labels = []
    for language in LANGUAGES:
        session.set_language(language)
        label = session.label(warning)
        assert label.startswith(row[f"label::{language}"].split("${")[0].strip())
        labels.append(label)
    assert len(set(labels)) == 3
    assert says in labels[0]
    fill(session, [(warning, "confirmed")])
    assert problems(session) == []


def test_every_hard_limit_of_the_form_is_in_the_table_above() -> None:
    """Each distinct rule (its message) is triggered by at least one row of HARD_LIMITS."""
    english = LANGUAGES[0]
    rules = {r[f"constraint_message::{english}"] for r in twin_rows("survey") if r["constraint"]}
    tried = {
        messages_in_twin(pattern_of(ref).rsplit("/", 1)[-1])[english]
        for _, ref, _, _ in HARD_LIMITS
    }
    assert sorted(rules - tried) == []
    warnings = {r["name"] for r in twin_rows("survey") if r["type"] == "select_one confirm"}
    assert warnings == {w.rsplit("/", 1)[-1] for _, _, w, _ in WARNINGS}

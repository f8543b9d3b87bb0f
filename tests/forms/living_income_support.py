"""Helpers for the living income questionnaire tests: the compiled form (once), sessions
on it with the benchmarks attachment, and short names for the refs a household answers."""

from __future__ import annotations

import datetime as dt
import functools
import random
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from forms.definition import FormDefinition
from forms.library.build import TWIN, Sheets, read_markdown
from forms.session import FormSession
from forms.session_paths import pattern_of
from forms.xform_reader import read_xform
from forms.xlsform import CompiledForm, compile_xlsform
from forms.xpath import Environment

LIBRARY = TWIN.parent
XLSX = LIBRARY / "living_income_household.xlsx"
CSV = LIBRARY / "benchmarks.csv"
WEIGHTS = LIBRARY / "weights.csv"
TABLES = (CSV, LIBRARY / "prices.csv", LIBRARY / "units.csv", WEIGHTS)
LANGUAGES = ("English (en)", "Français (fr)", "Español (es)")
NOW = dt.datetime(2025, 1, 15, 9, 30, tzinfo=dt.UTC)

MEMBER = "/data/roster/member[{}]/person/{}"
PLOT = "/data/plots/plot[{}]/{}"
SEASON = "/data/main_crop/season[{}]/{}"
LABOUR = "/data/costs/labour[{}]/{}"
CROP = "/data/other_crops/crop_other[{}]/oc_amounts/{}"
ANIMAL = "/data/livestock/animal[{}]/{}"
SOURCE = "/data/other_income/source[{}]/{}"
DM = "/data/weai/dm[{}]/{}"
ACT = "/data/weai/dm[{}]/act[{}]/{}"
ACTIVITIES = ("food", "cash", "livestock", "fish", "business", "wage")
TIME_USE = (
    "sleep", "eat", "self_care", "school", "employed", "business", "farming", "livestock",
    "fishing", "shopping", "weaving", "cooking", "domestic", "construction", "childcare",
    "adultcare", "travel", "media", "social", "religious", "other",
)  # fmt: skip
"""The A-WEAI 24-hour activity list (G6), in the form's order."""
USUAL_DAY = {"sleep": 8, "eat": 1.5, "self_care": 1, "farming": 5, "livestock": 0.5}
USUAL_DAY |= {"cooking": 2, "domestic": 1, "childcare": 2, "social": 3}
"""24 hours, of which 10.5 are work (farming, livestock, cooking, domestic, childcare)."""


@functools.cache
def compiled() -> CompiledForm:
    return compile_xlsform(XLSX)


@functools.cache
def definition() -> FormDefinition:
    return read_xform(compiled().xform, source_name=XLSX.name)


@functools.cache
def twin() -> Sheets:
    return read_markdown(TWIN.read_text(encoding="utf-8"))


def twin_rows(sheet: str) -> list[dict[str, str]]:
    header, *rows = twin()[sheet]
    return [dict(zip(header, row, strict=True)) for row in rows]


def new_session(
    language: str | None = None, *, replaced: Mapping[str, bytes] | None = None
) -> FormSession:
    """A new interview; `replaced` swaps attached files (e.g. a project's `weights.csv`)."""
    env = Environment(now=lambda: NOW, rng=random.Random(4), properties={"deviceid": "test:1"})
    files = attachments() | dict(replaced or {})
    return FormSession.new(definition(), attachments=files, env=env, language=language)


def load_session(xml: str) -> FormSession:
    """A session resumed from saved instance XML (as the app does after a restart)."""
    env = Environment(now=lambda: NOW, rng=random.Random(4), properties={"deviceid": "test:1"})
    return FormSession.load(definition(), xml, attachments=attachments(), env=env)


def attachments() -> dict[str, bytes]:
    """The CSV files attached to the form, as the app and ODK Collect have them."""
    return {table.name: table.read_bytes() for table in TABLES}


def fill(session: FormSession, answers: Iterable[tuple[str, Any]]) -> None:
    """Answer in order, failing the test on the first refused answer."""
    for ref, value in answers:
        if not ref.startswith("/"):
            ref = "/data/" + ref
        result = session.answer(ref, value)
        assert result.ok, f"{ref} = {value!r} refused: {result.message}"


def add(session: FormSession, repeat: str, count: int) -> None:
    for _ in range(count):
        session.add_repeat(repeat)


def number(session: FormSession, name: str) -> float:
    """The value of the calculation `name` (at the form's top level) as a number."""
    return float(session.value("/data/" + name))


def start(
    session: FormSession, benchmark: str, country: str, household_id: str = "HH-0001"
) -> None:
    fill(
        session,
        [
            ("identification/enumerator", "e01"),
            ("identification/household_id", household_id),
            ("identification/country", country),
            ("identification/village", "Village"),
            ("benchmark", benchmark),
            ("consent", "yes"),
        ],
    )


def roster(session: FormSession, members: list[tuple[str, str, str, int]]) -> None:
    """(name, relation, sex, age) per member, head first; no time away, no schooling."""
    fill(session, [("roster/hh_size", len(members))])
    for i, (name, relation, sex, age) in enumerate(members, start=1):
        fill(
            session,
            [
                (MEMBER.format(i, "name"), name),
                (MEMBER.format(i, "relation"), relation),
                (MEMBER.format(i, "sex"), sex),
                (MEMBER.format(i, "age"), age),
                (MEMBER.format(i, "months_away"), 0),
            ],
        )
        if age >= 5:
            base = f"/data/roster/member[{i}]/schooling/"
            fill(session, [(base + "education", "primary"), (base + "activities", "own_farm")])
    fill(session, [("roster/respondent", members[0][0])])


def decision_maker(
    session: FormSession,
    i: int,
    name: str,
    *,
    activities: dict[str, tuple[str, str, str]] | None = None,
    assets: str = "phone poultry",
    credit: dict[str, str] | None = None,
    groups: str = "producers",
    hours: dict[str, float] | None = None,
) -> None:
    """The A-WEAI module of the i-th decision-maker (1: the woman, 2: the man).

    `activities`: per activity taken part in, (input in decisions, could decide if wanted,
    input in decisions on its income); the others are answered "did not take part".
    `credit`: per source borrowed from, who decided. `hours`: the 24-hour recall."""
    acts = {"cash": ("some", "medium", "most")} if activities is None else activities
    day = USUAL_DAY if hours is None else hours
    fill(
        session,
        [(DM.format(i, "dm_who/dm_name"), name), (DM.format(i, "dm_who/dm_private"), "private")],
    )
    for number, activity in enumerate(ACTIVITIES, start=1):
        fill(session, [(ACT.format(i, number, "act_q/part"), "yes" if activity in acts else "no")])
        if activity in acts:
            given, could, income = acts[activity]
            if number <= 4:
                fill(session, [(ACT.format(i, number, "act_d/input"), given)])
            fill(session, [(ACT.format(i, number, "act_d/could"), could)])
            fill(session, [(ACT.format(i, number, "act_d/income_input"), income)])
    sources = credit or {}
    fill(
        session,
        [
            (DM.format(i, "dm_resources/assets"), assets),
            (DM.format(i, "dm_resources/credit_sources"), " ".join(sources) or "none"),
            *((DM.format(i, f"dm_credit/cr_{s}"), who) for s, who in sources.items()),
            (DM.format(i, "dm_resources/groups"), groups),
            *((DM.format(i, f"dm_time/t_{a}"), day.get(a, 0)) for a in TIME_USE),
            (DM.format(i, "wm_training"), "agriculture"),
        ],
    )


def women_module(session: FormSession, woman: str, man: str | None = None) -> None:
    """The usual answers for the woman and, in a dual-adult household, the man."""
    decision_maker(session, 1, woman)
    if man is not None:
        decision_maker(session, 2, man, assets="land phone", groups="none")


def close(session: FormSession) -> None:
    fill(session, [("close/closing/rating", "4")])


def shown(session: FormSession) -> set[str]:
    """Position-free paths of every question the session would show now."""
    return {pattern_of(ref) for screen in session.screens() for ref in screen.questions}


def problems(session: FormSession) -> list[str]:
    return [f"{p.place.field}: {session.message(p)}" for p in session.validate()]


def library_file(name: str) -> Path:
    return LIBRARY / name

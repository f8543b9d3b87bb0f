"""Helpers for the living income questionnaire tests: the compiled form (once), sessions
on it with the benchmarks attachment, and short names for the refs a household answers."""

from __future__ import annotations

import datetime as dt
import functools
import random
from collections.abc import Iterable
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
LANGUAGES = ("English (en)", "Français (fr)", "Español (es)")
NOW = dt.datetime(2025, 1, 15, 9, 30, tzinfo=dt.UTC)

MEMBER = "/data/roster/member[{}]/person/{}"
PLOT = "/data/plots/plot[{}]/{}"
SEASON = "/data/main_crop/season[{}]/{}"
LABOUR = "/data/costs/labour[{}]/{}"
CROP = "/data/other_crops/crop_other[{}]/oc_amounts/{}"
ANIMAL = "/data/livestock/animal[{}]/{}"
SOURCE = "/data/other_income/source[{}]/{}"


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


def new_session(language: str | None = None) -> FormSession:
    env = Environment(now=lambda: NOW, rng=random.Random(4), properties={"deviceid": "test:1"})
    attachments = {CSV.name: CSV.read_bytes()}
    return FormSession.new(definition(), attachments=attachments, env=env, language=language)


def load_session(xml: str) -> FormSession:
    """A session resumed from saved instance XML (as the app does after a restart)."""
    env = Environment(now=lambda: NOW, rng=random.Random(4), properties={"deviceid": "test:1"})
    attachments = {CSV.name: CSV.read_bytes()}
    return FormSession.load(definition(), xml, attachments=attachments, env=env)


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


def start(session: FormSession, benchmark: str, country: str) -> None:
    fill(
        session,
        [
            ("identification/enumerator", "e01"),
            ("identification/household_id", "HH-0001"),
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


def women_module(session: FormSession, respondent: str) -> None:
    base = "women/wm_decisions/"
    fill(
        session,
        [
            (base + "wm_respondent", respondent),
            (base + "wm_private", "private"),
            (base + "wm_input_cash", "some"),
            (base + "wm_input_livestock", "little"),
            (base + "wm_assets", "phone small_livestock"),
            (base + "wm_credit", "no"),
            (base + "wm_income_use", "most"),
            (base + "wm_group", "yes"),
            *(
                (f"women/time_use/h_{a}", h)
                for a, h in [
                    ("farm", 5),
                    ("animals", 0.5),
                    ("business", 0),
                    ("wage", 0),
                    ("domestic", 3),
                    ("care", 2),
                ]
            ),
            ("women/wm_training", "agriculture"),
        ],
    )


def close(session: FormSession) -> None:
    fill(session, [("close/closing/rating", "4")])


def shown(session: FormSession) -> set[str]:
    """Position-free paths of every question the session would show now."""
    return {pattern_of(ref) for screen in session.screens() for ref in screen.questions}


def problems(session: FormSession) -> list[str]:
    return [f"{p.place.field}: {session.message(p)}" for p in session.validate()]


def library_file(name: str) -> Path:
    return LIBRARY / name

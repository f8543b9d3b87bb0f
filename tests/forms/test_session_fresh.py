"""Fresh sessions copied from one evaluation equal sessions started by `FormSession.new`,
for any environment and any answers after; forms whose start consults the environment
or runs load actions are not copied."""

from __future__ import annotations

import datetime as dt
import random

from hypothesis import given, settings
from hypothesis import strategies as st
from session_support import definition_of, state

from forms.session import FormSession
from forms.session_fresh import FreshSessions, copyable
from forms.xpath import Environment

FORM = """
| survey |
| | type | name | label | relevant | calculation | repeat_count | required | constraint |
| | start | started | | | | | | |
| | deviceid | device | | | | | | |
| | calculate | base | | | 3 | | | |
| | calculate | tag | | | concat(${device}, '-', ${base}) | | | |
| | calculate | odd | | | regex(${device}, '(') | | | |
| | begin repeat | plot | Plot | | | ${base} | | |
| | calculate | number | | | position(..) | | | |
| | decimal | area | Area of plot ${number} | ${number} != 2 | | | ${number} = 1 | . > 0 |
| | text | note | Note | ${area} > 5 | | | | |
| | end repeat | | | | | | | |
| | calculate | total | | | sum(${area}) | | | |
| | text | who | Who | ${tag} != '-3' | | | | |
"""
DEFINITION = definition_of(FORM)
DEVICES = ["", "collect:abc", "collect:(x"]


def env_of(seed: int, device: str) -> Environment:
    moment = dt.datetime(2024, 1, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=seed)
    return Environment(now=lambda: moment, rng=random.Random(seed), properties={"deviceid": device})


def screens(session: FormSession) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(s.kind, s.ref, s.questions) for s in session.screens()]


answers = st.lists(
    st.tuples(
        st.sampled_from(["/data/plot[1]/area", "/data/plot[3]/area", "/data/who"]),
        st.sampled_from(["", "2", "7.5", "-1", "x"]),
    ),
    max_size=6,
)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from(DEVICES), answers)
def test_a_copy_is_a_new_session(seed: int, device: str, steps: list[tuple[str, str]]) -> None:
    fresh = FreshSessions(DEFINITION)
    fresh.new(env_of(seed + 1, "other"))
    copy = fresh.new(env_of(seed, device))
    assert fresh.copying
    new = FormSession.new(DEFINITION, env=env_of(seed, device))
    assert state(copy) == state(new)
    assert copy.notices == new.notices
    assert screens(copy) == screens(new)
    for ref, value in steps:
        assert copy.answer(ref, value) == new.answer(ref, value)
        assert state(copy) == state(new)
    assert screens(copy) == screens(new)


def test_copies_share_no_node() -> None:
    fresh = FreshSessions(DEFINITION)
    first, second = fresh.new(env_of(1, "a")), fresh.new(env_of(2, "b"))
    before = state(second)
    assert first.answer("/data/plot[1]/area", "9").ok
    assert first.value("/data/total") == "9"
    assert state(second) == before
    assert fresh.new(env_of(2, "b")).value("/data/total") == "0"


def test_a_start_that_reads_the_clock_or_randomness_is_not_copied() -> None:
    for calculation in ("random()", "format-date(now(), '%Y')", "uuid()"):
        definition = definition_of(FORM.replace("| 3 |", f"| string-length({calculation}) |"))
        fresh = FreshSessions(definition)
        made = [fresh.new(env_of(seed, "d")) for seed in (1, 2)]
        assert not fresh.copying
        assert [state(s) for s in made] == [
            state(FormSession.new(definition, env=env_of(seed, "d"))) for seed in (1, 2)
        ]


def test_load_actions_and_calculated_preloads_are_not_copied() -> None:
    dynamic_default = definition_of(
        """
| survey |
| | type | name | label | default |
| | date | when | When | today() |
"""
    )
    calculated_start = definition_of(
        """
| survey |
| | type | name | label | calculation |
| | start | started | | now() |
"""
    )
    assert copyable(DEFINITION)
    assert not copyable(dynamic_default)
    assert not copyable(calculated_start)
    fresh = FreshSessions(dynamic_default)
    assert fresh.new(env_of(3, "d")).value("/data/when") == "2024-01-01"
    assert not fresh.copying

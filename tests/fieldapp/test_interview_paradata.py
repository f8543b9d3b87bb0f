"""Paradata: every keystroke is committed, but a question visit logs one answered/changed
event, with the value it was left with, and none when the value ends as it began."""

from __future__ import annotations

from fieldapp.interview import Interview
from fieldapp.store import Store

HOUSEHOLD = "/data/household_id"


def logged(store: Store, interview: Interview) -> list[tuple[str, str | None]]:
    return [
        (e.event, e.value)
        for e in store.events(interview.instance_id)
        if e.ref == HOUSEHOLD and e.event in ("answered", "changed")
    ]


def type_slowly(interview: Interview, text: str) -> None:
    """Each keystroke is handed over (a part like "AB-1" may break the constraint)."""
    for end in range(1, len(text) + 1):
        interview.answer(HOUSEHOLD, text[:end])
    assert interview.session.value(HOUSEHOLD) == text


def test_one_event_per_visit_while_every_keystroke_is_committed(store: Store) -> None:
    interview = Interview.start(store, "demo_household")
    interview.jump(HOUSEHOLD)
    type_slowly(interview, "AB-1234")
    assert "<household_id>AB-1234</household_id>" in store.get_instance(interview.instance_id).xml
    assert logged(store, interview) == []  # nothing logged per keystroke
    interview.next()
    assert logged(store, interview) == [("answered", "AB-1234")]

    interview.back()
    assert interview.answer(HOUSEHOLD, "AB-1235").ok  # edited, then back to what it was
    assert interview.answer(HOUSEHOLD, "AB-1234").ok
    interview.next()
    assert logged(store, interview) == [("answered", "AB-1234")]

    interview.jump(HOUSEHOLD)
    type_slowly(interview, "AB-0042")
    interview.jump("/data/region")
    assert logged(store, interview) == [("answered", "AB-1234"), ("changed", "AB-0042")]


def test_a_visit_ends_when_saving_and_closing_or_finalizing(store: Store) -> None:
    interview = Interview.start(store, "demo_household")
    interview.jump(HOUSEHOLD)
    type_slowly(interview, "AB-0007")
    interview.close_visit()
    assert logged(store, interview) == [("answered", "AB-0007")]
    type_slowly(interview, "AB-0008")
    interview.finalize()  # refused (required questions missing): the visit is logged anyway
    assert logged(store, interview) == [("answered", "AB-0007"), ("changed", "AB-0008")]

"""The interview view-model on the demo form with the real store."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from fieldapp.interview import END, Interview
from fieldapp.store import Comment, Store

FORM = "demo_household"


def refs(interview: Interview) -> list[str]:
    return [q.ref for q in interview.screen().questions]


def fill_until_hh_size(interview: Interview) -> None:
    for ref, value in [
        ("/data/enumerator", "e01"),
        ("/data/household_id", "AB-1234"),
        ("/data/region", "north"),
        ("/data/consent", "yes"),
    ]:
        assert interview.answer(ref, value).ok
    interview.jump("/data/interview/hh_size")


def test_answers_are_committed_and_resume_on_the_same_screen(store: Store) -> None:
    interview = Interview.start(store, FORM)
    fill_until_hh_size(interview)
    assert interview.answer("/data/interview/hh_size", "3").ok
    interview.next()
    assert interview.answer("/data/interview/member[1]/name", "Amina").ok
    interview.next()
    resumed = Interview.resume(store, interview.instance_id)
    assert refs(resumed) == ["/data/interview/member[1]/sex"]
    assert resumed.screen().questions[0].label == "Sex of Amina"
    assert resumed.session.value("/data/household_id") == "AB-1234"
    kinds = [e.event for e in store.events(interview.instance_id)]
    assert "answered" in kinds and "shown" in kinds


def test_constraint_refused_with_message_and_skip_logic(store: Store) -> None:
    interview = Interview.start(store, FORM)
    fill_until_hh_size(interview)
    outcome = interview.answer("/data/interview/hh_size", "40")
    assert not outcome.ok and outcome.message == "Sorry, this response is invalid!"
    assert interview.session.value("/data/interview/hh_size") == ""
    interview.answer("/data/consent", "no")
    interview.jump("/data/consent")
    assert interview.next().kind == END


def test_finalize_jumps_to_the_first_problem_then_finalizes(store: Store) -> None:
    interview = Interview.start(store, FORM)
    problems = interview.finalize()
    assert problems and refs(interview) == ["/data/enumerator"]
    fill_until_hh_size(interview)
    interview.answer("/data/interview/hh_size", "1")
    for ref, value in [("name", "Amina"), ("sex", "female"), ("age", "40")]:
        assert interview.answer(f"/data/interview/member[1]/{ref}", value).ok
    for ref, value in [("cocoa_kg", "0"), ("cocoa_costs", "10")]:
        assert interview.answer(f"/data/interview/{ref}", value).ok
    assert interview.finalize() == []
    assert store.get_instance(interview.instance_id).state == "finalized"


def test_no_network_call_while_filling(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    real_connect = socket.socket.connect

    def loopback_only(self: socket.socket, address: Any) -> None:
        host = address[0] if isinstance(address, tuple) else str(address)
        if host not in ("127.0.0.1", "::1", "localhost"):
            raise AssertionError(f"network call to {address}")
        real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", loopback_only)
    with pytest.raises(AssertionError):
        socket.create_connection(("192.0.2.1", 80), 0.1)
    interview = Interview.start(store, FORM)
    fill_until_hh_size(interview)
    interview.answer("/data/interview/hh_size", "2")
    while interview.screen().kind != END:
        interview.next()
    interview.finalize()


def test_a_returned_comment_on_a_roster_answer_opens_on_that_member(store: Store) -> None:
    """The supervisor commented on the second member's age (a cell of the roster table):
    the correction opens on that member's question, with the comment on it and nowhere else."""
    interview = Interview.start(store, FORM)
    fill_until_hh_size(interview)
    assert interview.answer("/data/interview/hh_size", "2").ok
    for n, (name, age) in enumerate([("Amina", "41"), ("Kofi", "45")], start=1):
        assert interview.answer(f"/data/interview/member[{n}]/name", name).ok
        assert interview.answer(f"/data/interview/member[{n}]/age", age).ok
    record = store.get_instance(interview.instance_id)
    store.finalize(interview.instance_id, record.xml, "AB-1234")  # as if every answer were in
    store.mark_sent([interview.instance_id])
    note = Comment("/data/interview/member[2]/age", "Kofi is 54", "sue", "2025-01-16")
    store.mark_returned(interview.instance_id, record.xml, [note], FORM, record.form_version)
    edit = Interview.resume(store, interview.instance_id)
    shown = edit.screen()
    assert [(q.ref, q.value, q.comments) for q in shown.questions] == [
        ("/data/interview/member[2]/age", "45", ("Kofi is 54",))
    ]
    edit.jump("/data/interview/member[1]/age")
    assert [(q.ref, q.comments) for q in edit.screen().questions] == [
        ("/data/interview/member[1]/age", ())
    ]

"""Building the ODK Collect audit log (`audit.csv`) from the paradata the store keeps."""

from __future__ import annotations

import datetime as dt

from paradata_support import START, T0

from fieldapp.paradata import audit_csv, audit_log, audit_rows, interrupted_at
from fieldapp.store import Event
from fieldapp.store.connection import stamp

HOUR = 3600_000


def at(ms: int) -> str:
    return stamp(START + dt.timedelta(milliseconds=ms))


def event(name: str, ms: int, ref: str | None = None, value: str | None = None) -> Event:
    return Event("uuid:a", name, ref, value, at(ms))


def rows_after_t0(events: list[Event]) -> list[tuple[str, str, int, int | None]]:
    return [
        (r.event, r.node, r.start - T0, None if r.end is None else r.end - T0)
        for r in audit_rows(events)
    ]


def test_one_row_per_screen_visit_in_odk_collect_format() -> None:
    events = [
        event("form_start", 0),
        event("screen", 0, "/data/household_id", "question"),
        event("shown", 0, "/data/household_id"),
        event("answered", 12_000, "/data/household_id", "AB-0001"),
        event("screen", 12_000, "/data/roster/member[1]/person", "group"),
        event("shown", 12_000, "/data/roster/member[1]/person/name"),
        event("screen", 30_000, "/data/plots/plot", "repeat_prompt"),
        event("delete_repeat", 31_000, "/data/plots/plot[2]"),
        event("screen", 40_000, None, "end"),
        event("form_finalize", 45_500),
        event("form_exit", 45_500),
    ]
    assert audit_log(events).decode("utf-8") == (
        "event,node,start,end\n"
        f"form start,,{T0},\n"
        f"question,/data/household_id,{T0},{T0 + 12_000}\n"
        f"group questions,/data/roster/member[1]/person,{T0 + 12_000},{T0 + 30_000}\n"
        f"add repeat,/data/plots/plot,{T0 + 30_000},{T0 + 40_000}\n"
        f"delete repeat,/data/plots/plot[2],{T0 + 31_000},\n"
        f"end screen,,{T0 + 40_000},{T0 + 45_500}\n"
        f"form finalize,,{T0 + 45_500},\n"
        f"form exit,,{T0 + 45_500},\n"
    )


def test_the_time_the_app_was_closed_counts_in_no_row() -> None:
    """Killed on screen B 50 s in (its last commit), reopened three hours later."""
    events = [
        event("form_start", 0),
        event("screen", 0, "/data/a", "question"),
        event("screen", 20_000, "/data/b", "question"),
        event("form_exit", 50_000, value="interrupted"),  # logged on reopening, stamped 50 s
        event("form_resume", 3 * HOUR),
        event("screen", 3 * HOUR, "/data/b", "question"),
        event("screen", 3 * HOUR + 15_000, "/data/c", "question"),
        event("form_exit", 3 * HOUR + 25_000),
    ]
    assert rows_after_t0(events) == [
        ("form start", "", 0, None),
        ("question", "/data/a", 0, 20_000),
        ("question", "/data/b", 20_000, 50_000),
        ("form exit", "", 50_000, None),
        ("form resume", "", 3 * HOUR, None),
        ("question", "/data/b", 3 * HOUR, 3 * HOUR + 15_000),
        ("question", "/data/c", 3 * HOUR + 15_000, 3 * HOUR + 25_000),
        ("form exit", "", 3 * HOUR + 25_000, None),
    ]


def test_a_session_cut_off_without_a_recorded_exit_ends_at_its_last_event() -> None:
    """Paradata without the exit of a killed session: the visit ends at its last event."""
    events = [
        event("form_start", 0),
        event("screen", 0, "/data/a", "question"),
        event("changed", 40_000, "/data/a", "2"),
        event("form_resume", 2 * HOUR),
        event("screen", 2 * HOUR, "/data/a", "question"),
    ]
    assert rows_after_t0(events)[1:] == [
        ("question", "/data/a", 0, 40_000),
        ("form resume", "", 2 * HOUR, None),
        ("question", "/data/a", 2 * HOUR, 2 * HOUR),
    ]


def test_a_clock_set_back_gives_no_negative_time() -> None:
    events = [
        event("screen", 60_000, "/data/a", "question"),
        event("screen", 10_000, "/data/b", "question"),
        event("form_exit", 25_000),
    ]
    assert rows_after_t0(events) == [
        ("question", "/data/a", 60_000, 60_000),
        ("question", "/data/b", 10_000, 25_000),
        ("form exit", "", 25_000, None),
    ]


def test_interrupted_at_is_the_last_trace_of_a_session_left_open() -> None:
    session = [event("form_resume", 0), event("screen", 5_000, "/data/a", "question")]
    assert interrupted_at(session, at(9_000)) == at(9_000)  # the last answer's commit
    assert interrupted_at(session, at(1_000)) == at(5_000)
    assert interrupted_at([*session, event("form_exit", 7_000)], at(9_000)) is None
    assert interrupted_at([*session, event("form_finalize", 7_000)], at(9_000)) is None
    assert interrupted_at([event("shown", 0, "/data/a")], at(9_000)) is None  # no session
    assert interrupted_at([], at(9_000)) is None


def test_values_with_commas_are_quoted() -> None:
    text = audit_csv(audit_rows([event("screen", 0, "/data/a,b", "question")]))
    assert text.decode("utf-8").splitlines()[1] == f'question,"/data/a,b",{T0},{T0}'

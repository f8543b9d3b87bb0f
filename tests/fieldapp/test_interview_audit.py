"""The interview logs sessions and screens with the store's clock, and finalizing attaches
the audit log: a killed app's closed time counts nowhere, a refinalized or corrected
version gets a rebuilt log, a read-only view logs nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from paradata_support import Clock, audit_rows, seconds_on_screens
from store_support import DEMO_XFORM

from fieldapp.app import load_demo_forms
from fieldapp.interview import END, Interview
from fieldapp.paradata import AUDIT_FILE
from fieldapp.store import Comment, Store

FORM = "demo_household"
ANSWERS = {
    "/data/enumerator": "e01",
    "/data/household_id": "AB-0042",
    "/data/region": "north",
    "/data/consent": "no",
}
S = 1000


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def timed_store(tmp_path: Path, clock: Clock) -> Iterator[Store]:
    with Store.open(tmp_path / "fieldapp.db", clock=clock) as store:
        load_demo_forms(store)
        yield store


def answer_screen(interview: Interview, clock: Clock, seconds: float) -> None:
    """Spend `seconds` on the screen (answering it halfway through), then go on."""
    clock.advance(seconds / 2)
    for question in interview.screen().questions:
        if question.ref in ANSWERS:
            assert interview.answer(question.ref, ANSWERS[question.ref]).ok
    clock.advance(seconds / 2)
    interview.next()


def finished(store: Store, clock: Clock, form: str = FORM) -> Interview:
    """An interview of 30 s on its five screens, finalized from the end screen."""
    interview = Interview.start(store, form)
    for seconds in (4, 10, 6, 2, 8):
        answer_screen(interview, clock, seconds)
    assert interview.finalize() == []
    return interview


def test_finalizing_attaches_one_row_per_screen_visit(timed_store: Store, clock: Clock) -> None:
    interview = Interview.start(timed_store, FORM)
    for seconds in (4, 10, 6, 2, 8):  # enumerator, household, region, location, consent
        answer_screen(interview, clock, seconds)
    assert interview.screen().kind == END
    clock.advance(5)
    assert interview.finalize() == []
    assert audit_rows(timed_store, interview.instance_id) == [
        ("form start", "", 0, None),
        ("question", "/data/enumerator", 0, 4 * S),
        ("question", "/data/household_id", 4 * S, 14 * S),
        ("question", "/data/region", 14 * S, 20 * S),
        ("question", "/data/location", 20 * S, 22 * S),
        ("question", "/data/consent", 22 * S, 30 * S),
        ("end screen", "", 30 * S, 35 * S),
        ("form finalize", "", 35 * S, None),
        ("form exit", "", 35 * S, None),
    ]
    record = timed_store.get_instance(interview.instance_id)
    assert record.state == "finalized"
    assert [a.filename for a in timed_store.attachments(record.instance_id)] == [AUDIT_FILE]


def test_a_killed_app_counts_up_to_its_last_commit_and_not_the_time_closed(
    timed_store: Store, clock: Clock
) -> None:
    interview = Interview.start(timed_store, FORM)
    answer_screen(interview, clock, 4)
    clock.advance(3)
    assert interview.answer("/data/household_id", "AB-0042").ok  # committed at 7 s
    clock.advance(20)  # ... and the app is killed at 27 s, before leaving the screen
    del interview
    clock.advance(3 * 3600)
    resumed = Interview.resume(timed_store, next(iter(timed_store.list_instances())).instance_id)
    assert [q.ref for q in resumed.screen().questions] == ["/data/household_id"]
    back = 7 * S + 3 * 3600 * S + 20 * S
    clock.advance(6)
    resumed.next()
    for seconds in (6, 2, 8):
        answer_screen(resumed, clock, seconds)
    assert resumed.finalize() == []
    rows = audit_rows(timed_store, resumed.instance_id)
    assert rows[:6] == [
        ("form start", "", 0, None),
        ("question", "/data/enumerator", 0, 4 * S),
        ("question", "/data/household_id", 4 * S, 7 * S),
        ("form exit", "", 7 * S, None),
        ("form resume", "", back, None),
        ("question", "/data/household_id", back, back + 6 * S),
    ]
    assert seconds_on_screens(rows) == 4 + 3 + 6 + 6 + 2 + 8


def test_refinalizing_replaces_the_audit_log_with_one_of_both_sessions(
    timed_store: Store, clock: Clock
) -> None:
    interview = finished(timed_store, clock)
    first = timed_store.attachments(interview.instance_id)[0]
    timed_store.reopen(interview.instance_id)
    clock.advance(600)
    again = Interview.resume(timed_store, interview.instance_id)
    again.jump("/data/region")
    clock.advance(9)
    assert again.finalize() == []
    attachments = timed_store.attachments(interview.instance_id)
    assert [a.filename for a in attachments] == [AUDIT_FILE]
    assert attachments[0].sha256 != first.sha256 and not first.path.exists()
    rows = audit_rows(timed_store, interview.instance_id)
    assert [r[0] for r in rows].count("form finalize") == 2
    assert ("question", "/data/region", 630 * S, 639 * S) in rows
    assert seconds_on_screens(rows) == 30 + 9


def test_a_corrected_version_carries_the_log_of_the_version_it_replaces(
    timed_store: Store, clock: Clock
) -> None:
    interview = finished(timed_store, clock)
    old = timed_store.get_instance(interview.instance_id)
    old_log = timed_store.read_attachment(old.instance_id, AUDIT_FILE)
    timed_store.mark_sent([old.instance_id])
    comment = Comment("/data/household_id", "Card says AB-0024", "sue", "2025-01-16")
    timed_store.mark_returned(old.instance_id, old.xml, [comment], FORM, old.form_version)
    clock.advance(86_400)
    edit = Interview.resume(timed_store, old.instance_id)
    assert edit.instance_id != old.instance_id
    assert [q.ref for q in edit.screen().questions] == ["/data/household_id"]
    clock.advance(12)
    assert edit.answer("/data/household_id", "AB-0024").ok
    edit.next()
    assert edit.finalize() == []
    rows = audit_rows(timed_store, edit.instance_id)
    assert [r[0] for r in rows].count("form start") == 1
    day = 86_400 * S + 30 * S
    assert rows[-5:] == [
        ("form resume", "", day, None),
        ("question", "/data/household_id", day, day + 12 * S),
        ("question", "/data/region", day + 12 * S, day + 12 * S),
        ("form finalize", "", day + 12 * S, None),
        ("form exit", "", day + 12 * S, None),
    ]
    assert seconds_on_screens(rows) == 30 + 12
    assert timed_store.read_attachment(old.instance_id, AUDIT_FILE) == old_log


def test_a_read_only_view_logs_nothing(timed_store: Store, clock: Clock) -> None:
    interview = finished(timed_store, clock)
    logged = len(timed_store.events(interview.instance_id))
    view = Interview.resume(timed_store, interview.instance_id)
    assert view.readonly
    view.jump("/data/region")
    view.next()
    view.close_visit()
    assert len(timed_store.events(interview.instance_id)) == logged


def test_a_deleted_repeat_instance_is_in_the_log(timed_store: Store, clock: Clock) -> None:
    interview = Interview.start(timed_store, "living_income_household")
    interview.add_repeat("/data/plots/plot")
    clock.advance(3)
    interview.remove_repeat("/data/plots/plot[2]")
    interview.close_visit()
    kinds = [(e.event, e.ref) for e in timed_store.events(interview.instance_id)]
    assert ("delete_repeat", "/data/plots/plot[2]") in kinds
    assert kinds[-1] == ("form_exit", None)


def test_a_form_with_the_audit_meta_field_names_the_log_in_the_instance(
    timed_store: Store, clock: Clock
) -> None:
    """As ODK Collect writes it; a form without the field gets no `<audit>`."""
    xform = (
        DEMO_XFORM.replace('id="demo_household"', 'id="demo_audit"')
        .replace("<instanceName/></meta>", "<instanceName/><audit/></meta>")
        .replace(
            '<bind nodeset="/data/meta/instanceID"',
            '<bind nodeset="/data/meta/audit" type="binary"/><bind nodeset="/data/meta/instanceID"',
        )
    )
    timed_store.add_form(xform)
    interview = finished(timed_store, clock, "demo_audit")
    assert "<audit>audit.csv</audit></meta>" in timed_store.get_instance(interview.instance_id).xml
    plain = finished(timed_store, clock)
    assert "<audit" not in timed_store.get_instance(plain.instance_id).xml

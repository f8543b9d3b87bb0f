"""Which questions keep the enumerator on a screen (`screen_problems`), as ODK Collect decides:
`FormController.saveAllScreenAnswers(answers, evaluateConstraints=true)` stops Next on a
question that is `ANSWER_REQUIRED_BUT_EMPTY` or `ANSWER_CONSTRAINT_VIOLATED`; a question
that is not relevant, answered or optional never blocks."""

from __future__ import annotations

from fieldapp.interview import Interview
from fieldapp.interview_blocking import screen_problems
from fieldapp.store import Store

REQUIRED = "Sorry, this response is required!"
INVALID = "Sorry, this response is invalid!"
FORM = """<?xml version="1.0"?>
<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml"
  xmlns:jr="http://openrosa.org/javarosa"><h:head><h:title>Blocking check</h:title>
<model><instance><data id="blocking_check" version="1">
<page><total/><part/><note_text/><why/><optional/></page><last/>
<meta><instanceID/></meta></data></instance>
<bind nodeset="/data/page/total" type="int" required="true()"/>
<bind nodeset="/data/page/part" type="int" required="true()" constraint=". &lt;= ../total"/>
<bind nodeset="/data/page/note_text" type="string" readonly="true()"/>
<bind nodeset="/data/page/why" type="string" required="true()" relevant="../part &gt; 5"/>
<bind nodeset="/data/page/optional" type="string"/>
<bind nodeset="/data/last" type="string" required="true()"/>
<bind nodeset="/data/meta/instanceID" type="string" readonly="true()" jr:preload="uid"/>
</model></h:head><h:body><group ref="/data/page" appearance="field-list">
<input ref="/data/page/total"><label>Total</label></input>
<input ref="/data/page/part"><label>Part</label></input>
<input ref="/data/page/note_text"><label>A note</label></input>
<input ref="/data/page/why"><label>Why so many?</label></input>
<input ref="/data/page/optional"><label>Remarks</label></input></group>
<input ref="/data/last"><label>Last</label></input></h:body></h:html>"""
PAGE = "/data/page/"


def started(store: Store) -> Interview:
    store.add_form(FORM, {})
    return Interview.start(store, "blocking_check")


def test_only_the_empty_required_questions_of_the_screen_block(store: Store) -> None:
    interview = started(store)
    assert screen_problems(interview) == {PAGE + "total": REQUIRED, PAGE + "part": REQUIRED}
    assert interview.answer(PAGE + "total", "10").ok
    assert screen_problems(interview) == {PAGE + "part": REQUIRED}
    assert interview.answer(PAGE + "part", "3").ok
    assert screen_problems(interview) == {}  # the note, the optional, the skipped: never


def test_a_question_that_becomes_relevant_and_empty_blocks(store: Store) -> None:
    interview = started(store)
    interview.answer(PAGE + "total", "10")
    interview.answer(PAGE + "part", "8")
    assert screen_problems(interview) == {PAGE + "why": REQUIRED}


def test_an_answer_made_invalid_by_another_blocks_with_its_constraint_message(
    store: Store,
) -> None:
    interview = started(store)
    interview.answer(PAGE + "total", "10")
    interview.answer(PAGE + "part", "4")
    interview.answer(PAGE + "total", "2")  # part (4) is now above the total
    assert screen_problems(interview) == {PAGE + "part": INVALID}


def test_after_finalize_only_the_problems_of_the_first_problem_screen_are_named(
    store: Store,
) -> None:
    interview = started(store)
    interview.answer(PAGE + "total", "10")
    interview.next()
    assert interview.finalize() != []
    assert [q.ref for q in interview.screen().questions][0] == PAGE + "total"
    assert screen_problems(interview) == {PAGE + "part": REQUIRED}


def test_the_next_screen_and_the_end_are_judged_on_their_own(store: Store) -> None:
    interview = started(store)
    interview.next()
    assert screen_problems(interview) == {"/data/last": REQUIRED}
    interview.answer("/data/last", "done")
    interview.next()
    assert interview.screen().kind == "end"
    assert screen_problems(interview) == {}


def test_a_read_only_interview_is_never_blocked(store: Store) -> None:
    interview = started(store)
    interview.readonly = True
    assert screen_problems(interview) == {}

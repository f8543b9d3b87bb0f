"""Which blocks an answer rebuilds on a multi-question screen (#14 item 9): only those whose
text, choices or computed value changed; the question answered keeps its control (it shows
the answer already), and a message alone is updated in place."""

from __future__ import annotations

import dataclasses

import flet as ft

from fieldapp.interview import QuestionView
from fieldapp.ui import question_blocks
from fieldapp.ui.words import translator

AGE = QuestionView("/data/p/age", "Age of Awa", "", "integer", "40", True, False)


def test_a_new_message_alone_rebuilds_nothing() -> None:
    now = dataclasses.replace(AGE, message="Sorry, this response is invalid!")
    assert not question_blocks.changed(AGE, now, answered=False)


def test_the_answered_question_keeps_its_control() -> None:
    now = dataclasses.replace(AGE, value="41")
    assert not question_blocks.changed(AGE, now, answered=True)
    assert question_blocks.changed(AGE, now, answered=False)  # a value computed elsewhere


def test_a_label_quoting_another_answer_rebuilds_the_block() -> None:
    now = dataclasses.replace(AGE, label="Age of Ama")
    assert question_blocks.changed(AGE, now, answered=False)


def test_the_block_finds_its_text_field_and_its_message_line() -> None:
    shown, line, pending = question_blocks.controls(
        AGE,
        typed="400",
        message="Too old",
        t=translator("en"),
        answer=lambda _value: None,
        attach=lambda _name, _data: "",
        focus=False,
    )
    field = question_blocks.text_field(ft.Column(shown))
    assert field is not None and field.value == "400"  # the refused text, shown again
    assert line is not None and line.value == "Too old" and line.visible
    assert pending is not None and pending() == "400"

"""Answers as the enumerator saw them, and names of repeat instances.

`shown_answer` writes a stored value the way the question showed it: a choice by its label in
the form language, a date, a number and a GPS point in that language's formats (as ODK
Collect's hierarchy does, `QuestionAnswerProcessor`: the answer's display text, never the raw
value). `instance_name` names a repeat instance as Collect's hierarchy view does (its repeat's
label and number, `friends > 1`, or the label of its only child group evaluated in that
instance, `1. Alice`), with its first text answer, else the choice made at its first
question (the kind of crop or animal it is about): an acknowledge, a note, a calculation, a
confirmation or a yes/no further down never names it (a plot was once "1. confirmed").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

from fieldapp.i18n import formats
from fieldapp.i18n.formats import LanguageFormats, format_date_with, format_number_with
from forms.definition import Control
from forms.messages import language_code
from forms.session import FormSession
from forms.session_navigation import within
from forms.xpath.tree import Node

SELECTS = ("select1", "select", "rank")


def rules_of(session: FormSession) -> LanguageFormats:
    """Number and date formats of the form language shown now."""
    return formats(language_code(session.language))


def shown_answer(session: FormSession, control: Control, node: Node) -> str:
    """`node`'s value as `control` showed it ("" when empty)."""
    value = node.text
    if not value:
        return ""
    if control.kind in SELECTS:
        labels = {c.value: c.label for c in session.choices(session.ref(node))}
        picked = value.split() if control.kind != "select1" else [value]
        return ", ".join(labels.get(v, v) or v for v in picked)
    rules = rules_of(session)
    kind = node.datatype or "string"
    try:
        if kind in ("int", "decimal"):
            return format_number_with(rules, float(value))
        if kind == "date":
            return format_date_with(rules, dt.date.fromisoformat(value[:10]))
        if kind == "dateTime":
            moment = dt.datetime.fromisoformat(value)
            return f"{format_date_with(rules, moment.date())} {moment:%H:%M}"
        if kind == "time":
            return value[:5]
        if kind == "geopoint":
            latitude, longitude = (float(v) for v in value.split()[:2])
            return f"{format_number_with(rules, latitude)}; {format_number_with(rules, longitude)}"
    except ValueError:
        return value
    return value


def questions_in(
    session: FormSession, controls: Sequence[Control], context: Node
) -> Iterator[tuple[Control, Node]]:
    """The relevant questions below `context` in form order, nested repeats left out."""
    for control in controls:
        if control.kind == "repeat":
            continue
        if control.ref is None or (control.kind == "group" and control.ref in session.repeats):
            yield from questions_in(session, control.children, context)
            continue
        for node in within(session, context, control.ref)[:1]:
            if not node.relevant:
                continue
            if control.kind == "group":
                yield from questions_in(session, control.children, node)
            else:
                yield control, node


def _is_text(control: Control, node: Node) -> bool:
    """A text the enumerator typed (not a note: a read-only text)."""
    if (node.datatype or "string") != "string":
        return False
    return control.bind is None or control.bind.readonly is None


def instance_name(session: FormSession, repeat: Control, label: str, instance: Node) -> str:
    """`Household member 2: Awa` (`label` is the repeat's label, already in words): the
    instance's first text answer, else the choice made at its first question (the kind of
    crop, animal or activity the instance is about); a yes/no further down names nothing."""
    number = f"{label} {instance.position()}".strip()
    children = repeat.children
    if len(children) == 1 and children[0].kind == "group" and children[0].label is not None:
        own = session.label_text(children[0].label, instance)
        if own:
            return f"{number}: {own}"
    asked = list(questions_in(session, children, instance))
    for control, node in asked:
        if node.text and control.kind == "input" and _is_text(control, node):
            return f"{number}: {node.text}"
    if asked:
        control, node = asked[0]
        if node.text and control.kind in SELECTS and len(session.choices(session.ref(node))) > 1:
            return f"{number}: {shown_answer(session, control, node)}"
    return number

"""Answers as the enumerator saw them, and names of repeat instances.

`shown_answer` writes a stored value the way the question showed it: a choice by its label in
the form language, a date, a number and a GPS point in that language's formats (as ODK
Collect's hierarchy does, `QuestionAnswerProcessor`: the answer's display text, never the raw
value). `instance_name` names a repeat instance as Collect's hierarchy view does (its repeat's
label and number, `friends > 1`, or the label of its only child group evaluated in that
instance, `1. Alice`), with its first text answer, else the choice made at its first
question when it picks a kind among several (crop, animal, activity): an acknowledge, a
note, a calculation, a confirmation, a unit or a yes/no never names it (a plot was once
"1. confirmed").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from fieldapp.i18n import formats
from fieldapp.i18n.formats import LanguageFormats, format_date_with, format_number_with
from forms.definition import Control
from forms.messages import language_code
from forms.session import FormSession
from forms.session_navigation import within
from forms.xpath.tree import Node

SELECTS = ("select1", "select", "rank")
KINDS = 3
"""A first question names its instance when it chooses among more choices than this: a kind
of crop, animal or activity, not a unit, a yes/no or a confirmation."""


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


@dataclass(frozen=True)
class Naming:
    """What can name the instances of one repeat, read once from the form."""

    texts: tuple[Control, ...]
    """Its text questions (typed by the enumerator: not notes), in form order."""
    first: Control | None
    """Its first question, when that is a select (see `KINDS`)."""


def naming_of(repeat: Control) -> Naming:
    questions = list(_questions(repeat.children))
    texts = tuple(c for c in questions if c.kind == "input" and _is_text(c))
    first = questions[0] if questions and questions[0].kind in SELECTS else None
    return Naming(texts, first)


def _questions(controls: Sequence[Control]) -> Iterator[Control]:
    """The questions among `controls`, groups entered, nested repeats left out."""
    for control in controls:
        if control.kind == "group":
            yield from _questions(control.children)
        elif control.kind != "repeat":
            yield control


def _is_text(control: Control) -> bool:
    bind = control.bind
    return bind is None or (bind.datatype == "string" and bind.readonly is None)


def instance_name(
    session: FormSession, repeat: Control, label: str, instance: Node, naming: Naming
) -> str:
    """`Household member 2: Awa` (`label` is the repeat's label, already in words)."""
    number = f"{label} {instance.position()}".strip()
    children = repeat.children
    if len(children) == 1 and children[0].kind == "group" and children[0].label is not None:
        own = session.label_text(children[0].label, instance)
        if own:
            return f"{number}: {own}"
    for control in naming.texts:
        node = _answered(session, control, instance)
        if node is not None:
            return f"{number}: {node.text}"
    first = naming.first
    node = _answered(session, first, instance) if first is not None else None
    if first is not None and node is not None:
        choices = session.choices(session.ref(node))
        labels = {c.value: c.label for c in choices}
        if len(choices) > KINDS and node.text in labels:
            return f"{number}: {labels[node.text]}"
    return number


def _answered(session: FormSession, control: Control, instance: Node) -> Node | None:
    assert control.ref is not None
    for node in within(session, instance, control.ref)[:1]:
        if node.relevant and node.text:
            return node
    return None

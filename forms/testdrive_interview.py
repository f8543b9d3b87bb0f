"""One simulated interview of the test-drive, and what it tallies.

`interview` steps through the screens as an enumerator would: every relevant question
gets a value of its type that its constraint and current choices accept (preferring
the values relevance conditions compare it with, so gated parts open), and each "add
another?" prompt gets 0-3 instances. `Tally` collects what all interviews saw.
"""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from forms.definition import Control, FormDefinition
from forms.errors import FormError
from forms.messages import render
from forms.session import SELECT_KINDS, FormSession
from forms.session_graph import resolve_read
from forms.session_navigation import GROUP, REPEAT_PROMPT, Screen
from forms.session_paths import nodes_at, pattern_of
from forms.testdrive_answers import candidates
from forms.testdrive_bounds import Bounds, bounded_answers, kind_of
from forms.testdrive_gates import PREFER, gate_values
from forms.testdrive_lint import FIXED_NOW, as_written
from forms.xpath import compile_expr, references

MAX_TRIES = 12
"""Candidate answers tried per question before giving up on it."""
MAX_REPEATS = 3
SKIP_OPTIONAL = 0.15
"""Chance of leaving an optional question empty (empty inputs are where NaN comes from)."""
MAX_SCREENS = 5000
CONSTRAINT_FAILED = ("session.constraint", "session.form_message")
MAY_HIDE_FAILURE = frozenset({"", "Infinity", "-Infinity"})


class Unfinished(Exception):
    """An interview that goes on and on (screens keep appearing)."""


@dataclass
class Tally:
    """What the interviews saw, per position-free path."""

    reached: set[str] = field(default_factory=set)
    asked: Counter[str] = field(default_factory=Counter)
    satisfied: Counter[str] = field(default_factory=Counter)
    tried: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    not_finite: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    failed: dict[str, str] = field(default_factory=dict)
    failed_questions: dict[str, str] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)
    """This interview's questions no answer satisfied (ref → why), cleared per interview."""
    unknown_instances: set[str] = field(default_factory=set)
    """Instances this interview needed and did not have, cleared per interview."""
    counted: frozenset[str] | None = None
    """The questions a repeat's `jr:count` reads (found on first use)."""

    def start_interview(self) -> None:
        self.refused.clear()
        self.unknown_instances.clear()


def interview(session: FormSession, rng: random.Random, tally: Tally) -> None:
    index, steps = 0, 0
    wanted: dict[str, int] = {}
    added: Counter[str] = Counter()
    while True:
        if index >= len(session.screens()):
            return
        steps += 1
        if steps > MAX_SCREENS:
            raise Unfinished(f"still not at the end after {MAX_SCREENS} screens")
        screen = session.screen(index)
        if screen.kind == REPEAT_PROMPT:
            if added[screen.ref] < wanted.setdefault(screen.ref, rng.randint(0, MAX_REPEATS)):
                added[screen.ref] += 1
                session.add_repeat(screen.ref)
            else:
                index += 1
            continue
        _answer_screen(session, screen, rng, tally)
        after = _shown_again(session, screen)
        index = after[0] + 1 if after is not None else index + 1


def _shown_again(session: FormSession, screen: Screen) -> tuple[int, Screen] | None:
    """Where `screen` is now, and how it reads now (None when it is no longer shown)."""
    index = session.jump(screen.ref)
    if index is None:
        return None
    now = session.screen(index)
    return (index, now) if now.ref == screen.ref else None


def _answer_screen(session: FormSession, screen: Screen, rng: random.Random, tally: Tally) -> None:
    """Answer the screen's questions in order; on a field-list the list is read again after
    each answer, since an answer may switch on a question of the same screen."""
    done: set[str] = set()
    questions = screen.questions
    while (pending := next((ref for ref in questions if ref not in done), None)) is not None:
        done.add(pending)
        _answer(session, pending, rng, tally)
        if screen.kind == GROUP:
            now = _shown_again(session, screen)
            questions = now[1].questions if now is not None else ()


def _answer(session: FormSession, ref: str, rng: random.Random, tally: Tally) -> None:
    pattern = pattern_of(ref)
    tally.reached.add(pattern)
    try:
        _try_answers(session, ref, rng, tally)
    except FormError as error:
        if not missing_instances(session, error, tally):
            tally.failed_questions.setdefault(pattern, error.problems[0].message)


def missing_instances(session: FormSession, error: FormError, tally: Tally) -> bool:
    """Whether the error only says that attachments the session went without are missing
    (noted in the tally: an interview held up by them is not the form's fault)."""
    ids = {str(p.params.get("id")) for p in error.problems if p.code == "xpath.unknown_instance"}
    if len(ids) < len(error.problems):
        return False
    declared = {s.id for s in session.definition.secondary_instances if s.src is not None}
    if not ids <= declared - set(session.instances):
        return False
    tally.unknown_instances |= ids
    return True


def _try_answers(session: FormSession, ref: str, rng: random.Random, tally: Tally) -> None:
    pattern = pattern_of(ref)
    control = session.control(ref)
    if control is None or session.is_readonly(ref) or control.kind == "trigger":
        return
    if not session.is_required(ref) and rng.random() < SKIP_OPTIONAL:
        return
    bind = session.definition.bind_for(pattern)
    constraint = bind.constraint if bind is not None else None
    if tally.counted is None:
        tally.counted = counts(session.definition)
    kind, bounds = None, None
    if control.kind in SELECT_KINDS:
        tries = _select_tries(session, ref, control, rng, tally)
    else:
        datatype = session.node(ref).datatype or "string"
        kind = kind_of(datatype) if control.kind != "range" else None
        tries, bounds = _typed_tries(session, ref, control, datatype, kind, rng, tally)
    if not tries:
        return
    if constraint is not None:
        tally.asked[pattern] += 1
    refused = False
    for value in tries[:MAX_TRIES]:
        result = session.answer(ref, value)
        if result.ok:
            if constraint is not None:
                tally.satisfied[pattern] += 1
            return
        if result.problem is not None and result.problem.code in CONSTRAINT_FAILED:
            shown = " ".join(value) if isinstance(value, list) else str(value)
            if shown not in tally.tried[pattern]:
                tally.tried[pattern].append(shown)
            refused = True
    session.answer(ref, "")
    if refused and constraint is not None:
        why = bounds.why(kind or "") if bounds is not None else ""
        params = {
            "expr": as_written(constraint.text),
            "why": why or render("check.no_value_met", {}),
        }
        tally.refused[ref] = render("check.constraint_refused", params)


def _select_tries(
    session: FormSession, ref: str, control: Control, rng: random.Random, tally: Tally
) -> list[object]:
    """Choices to try, in random order (gate values first, mostly); none when the
    select has none, noting an attachment the session went without."""
    values = [c.value for c in session.choices(ref)]
    rng.shuffle(values)
    itemset = control.itemset
    if itemset is not None and itemset.instance_id not in session.instances:
        tally.unknown_instances.add(itemset.instance_id or "")
    if not values:
        return []
    gates = gate_values(session.definition).get(pattern_of(ref), ())
    if gates and rng.random() < PREFER:  # open what a relevance gates on this answer
        values.sort(key=lambda v: v not in gates)
    if control.kind == "select1":
        return [[v] for v in values]
    if control.kind == "rank":
        return [values]
    more = rng.sample(values[1:], rng.randint(0, min(2, len(values) - 1)))
    return [[values[0], *more], *[[v] for v in values]]


def _typed_tries(
    session: FormSession,
    ref: str,
    control: Control,
    datatype: str,
    kind: str | None,
    rng: random.Random,
    tally: Tally,
) -> tuple[list[object], Bounds | None]:
    """Values to try for a typed question: inside its constraint's ranges, typical
    ones, then ones near its literals; small for a `jr:count`; gate values first."""
    pattern = pattern_of(ref)
    bind = session.definition.bind_for(pattern)
    constraint = bind.constraint if bind is not None else None
    tries: list[object] = list(candidates(control, datatype, constraint, FIXED_NOW.date(), rng))
    bounds = None
    counted = tally.counted or frozenset()
    if constraint is not None and kind is not None:
        small = MAX_REPEATS if pattern in counted else 0
        inside, bounds = bounded_answers(session, ref, constraint, kind, rng, small)
        tries = [*inside[:1], *tries[:1], *inside[1:], *tries[1:]]
    elif pattern in counted:
        tries = [str(rng.randint(0, MAX_REPEATS)), *tries]
    gates = gate_values(session.definition).get(pattern, ())
    if gates and rng.random() < PREFER:  # a literal itself, else one beside it
        tries = [rng.choice((gates[0], *gates)), *tries]
    return tries, bounds


def counts(definition: FormDefinition) -> frozenset[str]:
    """The questions that a repeat's `jr:count` reads: their answers stay small."""
    found: set[str] = set()
    for control in definition.controls():
        if control.kind == "repeat" and control.count is not None and control.ref:
            for reference in references(control.count.ast):
                read = resolve_read(reference, control.ref)
                if read is not None:
                    found.add(read.path)
    return frozenset(found)


def check_calculations(session: FormSession, tally: Tally) -> None:
    """Evaluate once more, on the finished interview, every relevant calculation whose
    stored value may hide a failure or a number that is not finite: the session stores
    NaN and a failed evaluation as empty, and keeps "Infinity" in a text; any other value
    came from a finite result."""
    for bind in session.definition.binds:
        if bind.calculate is None:
            continue
        compiled = compile_expr(bind.calculate.text)
        for node in nodes_at(session.document, bind.nodeset):
            if not node.relevant or node.text not in MAY_HIDE_FAILURE:
                continue
            try:
                value = session.run(compiled, node)
            except FormError as error:
                if not missing_instances(session, error, tally):
                    tally.failed.setdefault(bind.nodeset, error.problems[0].message)
                continue
            if isinstance(value, float) and not math.isfinite(value):
                tally.not_finite[bind.nodeset][_number_text(value)] += 1
                break


def _number_text(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"

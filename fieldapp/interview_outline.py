"""The form as ODK Collect's hierarchy view shows it, one level at a time, and its sections.

A level is the form's top, a labelled group, a repeat's list of instances, or one instance
(ODK Collect, `FormHierarchyFragment`: groups and repeat instances are levels entered and
left with "up"; a repeat shows once, and tapping it lists its instances; non-relevant
questions and groups are left out). A level computes only the rows it shows: a group or a
repeat below it is one row, not walked. Unlike Collect, a repeat with no instance still has
its row (Go to question then leads to its "Add 'Plot'?"), so a level is never empty.

Sections are the labelled groups and repeats at the top of the form: progress counts them
("Section 3 of 9"), so it never moves back when a repeat adds screens.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from fieldapp.interview_answers import Naming, instance_name, naming_of, shown_answer
from forms.definition import Control, Label
from forms.session import FormSession
from forms.session_navigation import state_of, within
from forms.session_navigation import walk as walk_controls
from forms.session_paths import nodes_at, pattern_of
from forms.xpath.tree import Node

QUESTION, GROUP, REPEAT, INSTANCE = "question", "group", "repeat", "instance"
PATH_SEPARATOR = " › "


@dataclass(frozen=True)
class LevelRow:
    kind: str
    """`question`, `group`, `repeat` (its instances are a level) or `instance`."""
    ref: str
    label: str
    answer: str = ""
    state: str = ""
    """For a question: `answered`, `unanswered`, `required-missing` or `invalid`."""
    current: bool = False
    """The question on screen now, or the group, repeat or instance that holds it."""
    count: int = 0
    """For a repeat: how many instances it has."""


@dataclass(frozen=True)
class Level:
    ref: str
    """`""` for the top of the form; a group, a repeat or a repeat instance otherwise."""
    path: str
    """The labels of the levels down to this one, `1. Members › Household member 2: Awa`."""
    up: str | None
    """The level "up" leads to (None at the top)."""
    rows: tuple[LevelRow, ...]


class FormOutline:
    def __init__(self, session: FormSession) -> None:
        self.session = session
        self._namings: dict[str, Naming] = {}

    # -- labels -----------------------------------------------------------------------

    @cached_property
    def _wrapper_labels(self) -> dict[str, Label]:
        """The label of the group wrapping each repeat (XLSForm puts it there)."""
        repeats = self.session.repeats
        return {
            c.ref: c.label
            for c in self.session.definition.controls()
            if c.kind == "group" and c.ref in repeats and c.label is not None
        }

    def label_of(self, control: Control, node: Node) -> str:
        label = control.label
        if label is None and control.ref is not None:
            label = self._wrapper_labels.get(control.ref)
        return self.session.label_text(label, node)

    def repeat_items(self, repeat_ref: str) -> tuple[tuple[str, str], ...]:
        """(ref, name) of each instance of the repeat at `repeat_ref`, named as
        `fieldapp.interview_answers.instance_name` says."""
        if not repeat_ref:
            return ()
        control = self.session.definition.control_for(pattern_of(repeat_ref))
        parent_ref, _, name = repeat_ref.rpartition("/")
        if control is None:
            return ()
        parent = self.session.node(parent_ref)
        label = self.label_of(control, parent)
        naming = self._namings.get(control.ref or "")
        if naming is None:
            naming = self._namings[control.ref or ""] = naming_of(control)
        instances = [c for c in parent.children if c.name == name]
        return tuple(
            (f"{repeat_ref}[{n}]", instance_name(self.session, control, label, item, naming))
            for n, item in enumerate(instances, start=1)
        )

    def section(self, ref: str) -> str:
        """The labels of the groups and repeat instances holding `ref` (the form's title
        when none has a label), for the screen's title."""
        parts: list[str] = []
        steps = ref.split("/")
        for depth in range(2, len(steps) - 1):
            text = self._step_label("/".join(steps[: depth + 1]))
            if text and text not in parts:
                parts.append(text)
        return PATH_SEPARATOR.join(parts) or self.session.definition.title

    def _step_label(self, ref: str) -> str:
        """The label of the group or repeat instance at `ref` ("" when it has none)."""
        control = self.session.definition.control_for(pattern_of(ref))
        if control is None or control.kind not in ("group", "repeat"):
            return ""
        text = self.label_of(control, self.session.node(ref))
        position = ref.rpartition("[")[2].rstrip("]") if ref.endswith("]") else ""
        return f"{text} {position}" if text and position and control.kind == "repeat" else text

    # -- levels -----------------------------------------------------------------------

    def level_of(self, ref: str) -> str:
        """The level showing `ref`: its nearest enclosing repeat instance or labelled group."""
        steps = ref.split("/")
        for depth in range(len(steps) - 2, 1, -1):
            above = "/".join(steps[: depth + 1])
            if above.endswith("]"):
                return above
            control = self.session.definition.control_for(pattern_of(above))
            if control is not None and control.kind == "group" and control.label is not None:
                return above
        return ""

    def level(self, ref: str, screen: str, questions: Sequence[str]) -> Level:
        """The level at `ref`, its current rows marked for the screen `screen` showing
        `questions`."""
        session = self.session
        if not ref:
            rows = self._rows(session.definition.body, session.document, screen, questions)
            return Level("", session.definition.title, None, tuple(rows))
        control = session.definition.control_for(pattern_of(ref))
        if control is None:
            raise KeyError(f"no group or repeat at {ref}")
        if control.kind == "repeat" and not ref.endswith("]"):  # its list of instances
            parent_ref = ref.rpartition("/")[0]
            above = self.section(parent_ref + "/")
            label = self.label_of(control, session.node(parent_ref))
            instances = [
                LevelRow(INSTANCE, item, name, current=_holds(item, screen))
                for item, name in self.repeat_items(ref)
                if session.node(item).relevant
            ]
            path = PATH_SEPARATOR.join((above, label))
            return Level(ref, path, self.level_of(ref), tuple(instances))
        up = ref.rpartition("[")[0] if ref.endswith("]") else self.level_of(ref)
        rows = self._rows(control.children, session.node(ref), screen, questions)
        return Level(ref, self.section(ref + "/"), up, tuple(rows))

    def _rows(
        self, controls: Sequence[Control], context: Node, screen: str, questions: Sequence[str]
    ) -> list[LevelRow]:
        session = self.session
        rows: list[LevelRow] = []
        for control in controls:
            if control.ref is None or (control.kind == "group" and control.ref in session.repeats):
                rows += self._rows(control.children, context, screen, questions)
                continue
            if control.kind == "repeat":
                parent_ref, _, name = control.ref.rpartition("/")
                for parent in within(session, context, parent_ref)[:1]:
                    count = len(nodes_at(parent, control.ref))
                    if parent.relevant:
                        ref = f"{session.ref(parent)}/{name}"
                        label = self.label_of(control, parent)
                        held = screen == ref or screen.startswith(ref + "[")
                        rows.append(LevelRow(REPEAT, ref, label, current=held, count=count))
                continue
            for node in within(session, context, control.ref)[:1]:
                if not node.relevant:
                    continue
                ref = session.ref(node)
                if control.kind == "group" and control.label is None:
                    rows += self._rows(control.children, node, screen, questions)
                elif control.kind == "group":
                    label = session.label_text(control.label, node)
                    rows.append(LevelRow(GROUP, ref, label, current=_holds(ref, screen)))
                else:
                    rows.append(self._question(control, node, ref, ref in questions))
        return rows

    def _question(self, control: Control, node: Node, ref: str, current: bool) -> LevelRow:
        session = self.session
        label = session.label_text(control.label, node)
        answer = shown_answer(session, control, node)
        return LevelRow(QUESTION, ref, label, answer, state_of(session, node), current)

    # -- counts -----------------------------------------------------------------------

    def answers_in(self, ref: str) -> int:
        """How many questions are answered inside the repeat instance at `ref`."""
        control = self.session.definition.control_for(pattern_of(ref))
        if control is None:
            return 0
        node = self.session.node(ref)
        found = walk_controls(self.session, control.children, node, 0, everything=True)
        return sum(
            1
            for c, node, _ in found
            if c.kind not in ("group", "repeat") and node.relevant and node.text
        )

    @cached_property
    def _parts(self) -> dict[str, int]:
        """The section each control belongs to, by ref: 0 before the first titled group,
        a question between two with the one before it."""
        number, parts = 0, {}
        for top in self.session.definition.body:
            if top.kind in ("group", "repeat") and self._titled(top):
                number += 1
            for control in top.walk():
                if control.ref is not None:
                    parts[control.ref] = number
        return parts

    def _titled(self, control: Control) -> bool:
        return control.label is not None or (
            control.ref is not None and control.ref in self._wrapper_labels
        )

    @cached_property
    def sections(self) -> int:
        return max(self._parts.values(), default=0)

    def part(self, ref: str) -> int:
        """The section (1 to `sections`) holding the screen `ref`; 0 before the first."""
        return self._parts.get(pattern_of(ref), 0)


def _holds(ref: str, screen: str) -> bool:
    return screen == ref or screen.startswith(ref + "/")

"""The screens of a form as ODK Collect steps through them, and its outline.

A screen is one question, a `field-list` group shown whole, or a repeat prompt
("Add another ...?") after the instances of a repeat that has no `jr:count` and
may be added to. Non-relevant questions and groups are skipped; calculations have
no control and so no screen. `forms.session_screens` keeps them up to date as answers
change relevance and repeat instances come and go.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from forms.definition import Control, Label
from forms.messages import render_in
from forms.session_paths import ancestor_at, nodes_at
from forms.xpath.tree import DOCUMENT, Node
from forms.xpath.values import to_boolean

if TYPE_CHECKING:
    from forms.session import FormSession

QUESTION, GROUP, REPEAT_PROMPT = "question", "group", "repeat_prompt"
ANSWERED, UNANSWERED = "answered", "unanswered"
REQUIRED_MISSING, INVALID, NOT_RELEVANT = "required-missing", "invalid", "not-relevant"


@dataclass(frozen=True)
class Screen:
    kind: str
    """`question`, `group` (a field-list) or `repeat_prompt`."""
    ref: str
    """The question, the group, or (for a prompt) the repeat to pass to `add_repeat`."""
    questions: tuple[str, ...] = ()
    text: str = ""
    """The prompt's text, for a repeat prompt."""


@dataclass(frozen=True)
class OutlineEntry:
    ref: str
    label: str
    state: str
    depth: int


def outline(session: FormSession) -> list[OutlineEntry]:
    entries: list[OutlineEntry] = []
    for control, node, depth in walk(
        session, session.definition.body, session.document, 0, everything=True
    ):
        if control.kind in ("group", "repeat"):
            continue
        state = state_of(session, node) if node.relevant else NOT_RELEVANT
        label = session.label_text(control.label, node)
        entries.append(OutlineEntry(session.ref(node), label, state, depth))
    return entries


def state_of(session: FormSession, node: Node) -> str:
    """A relevant question's state: answered, unanswered, required-missing or invalid."""
    if session.problem_of(node) is not None:
        return REQUIRED_MISSING if node.text == "" else INVALID
    return ANSWERED if node.text else UNANSWERED


def questions(session: FormSession) -> Iterator[Node]:
    """The node of every relevant question, in form order (field-list groups entered)."""
    for control, node, _ in walk(
        session, session.definition.body, session.document, 0, everything=True
    ):
        if control.kind not in ("group", "repeat") and node.relevant:
            yield node


def walk(
    session: FormSession,
    controls: Sequence[Control],
    context: Node,
    depth: int,
    *,
    everything: bool = False,
) -> Iterator[tuple[Control, Node, int]]:
    """Controls with the node each shows, in order; a repeat is yielded after its
    instances, with the node that holds them. Non-relevant groups are yielded but not
    entered unless `everything`."""
    for control in controls:
        if control.ref is None or (control.kind == "group" and control.ref in session.repeats):
            yield from walk(session, control.children, context, depth, everything=everything)
            continue
        if control.kind == "repeat":
            parent = within(session, context, control.ref.rsplit("/", 1)[0])
            if not parent:
                continue
            for instance in nodes_at(parent[0], control.ref):
                if instance.relevant or everything:
                    yield from walk(
                        session, control.children, instance, depth + 1, everything=everything
                    )
            yield control, parent[0], depth
            continue
        for node in within(session, context, control.ref)[:1]:
            yield control, node, depth
            if control.kind == "group" and (node.relevant or everything):
                if not control.is_field_list or everything:
                    yield from walk(
                        session, control.children, node, depth + 1, everything=everything
                    )


def within(session: FormSession, context: Node, pattern: str) -> list[Node]:
    nodes = nodes_at(context, pattern)
    if nodes or context.name == DOCUMENT:
        return nodes
    above = ancestor_at(context, pattern)
    return [above] if above is not None else nodes_at(session.document, pattern)


def _prompt_label(session: FormSession, control: Control) -> Label | None:
    wrappers = [
        c for c in session.definition.controls() if c.kind == "group" and c.ref == control.ref
    ]
    return control.label or (wrappers[0].label if wrappers else None)


def prompt_shown(
    session: FormSession, control: Control, parent: Node, instances: Sequence[Node]
) -> bool:
    """Whether a repeat offers "add another?" below `parent` (whose instances of it are
    `instances`): it has no `jr:count`, the parent and the first instance are relevant
    and `jr:noAddRemove` is not true."""
    if control.count is not None or not parent.relevant:
        return False
    if instances and not instances[0].relevant:
        return False
    if control.no_add_remove is not None:
        return not to_boolean(session.run(session.compiled(control.no_add_remove), parent))
    return True


def prompt_screen(session: FormSession, control: Control, parent: Node) -> Screen:
    """The prompt's screen, worded in the current language with the current answers: "Add
    'Plot'?" while the repeat has no instance, then "Add another 'Plot'?" (ODK Collect's
    `AddRepeatDialog`: `add_repeat` before the first instance, `add_another_repeat` after)."""
    assert control.ref is not None
    name = control.ref.rsplit("/", 1)[1]
    label = _prompt_label(session, control)
    text = session.label_text(label, parent) or name
    first = not any(child.name == name for child in parent.children)
    code = "session.repeat_prompt_first" if first else "session.repeat_prompt"
    message = render_in(code, {"label": text}, session.language)
    return Screen(REPEAT_PROMPT, f"{session.ref(parent)}/{name}", (), message)

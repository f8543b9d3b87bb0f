"""The screens of a form as ODK Collect steps through them, and its outline.

A screen is one question, a `field-list` group shown whole, or a repeat prompt
("Add another ...?") after the instances of a repeat that has no `jr:count` and
may be added to. Non-relevant questions and groups are skipped; calculations have
no control and so no screen. `FormSession.screens` keeps the list until relevance,
repeat instances or the language change.
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


def screens(session: FormSession) -> list[Screen]:
    return screens_of(session)[0]


def screens_of(session: FormSession) -> tuple[list[Screen], bool]:
    """The screens, and whether they stay right until relevance or repeats change: not
    when a repeat prompt's wording has outputs or `jr:noAddRemove` is an expression."""
    found: list[Screen] = []
    cacheable = True
    for control, node, depth in _walk(session, session.definition.body, session.document, 0):
        if control.kind == "repeat":
            prompt = _prompt(session, control, node)
            cacheable = cacheable and _fixed_prompt(session, control)
            if prompt is not None:
                found.append(prompt)
        elif not node.relevant:
            continue
        elif control.kind == "group" and control.is_field_list:
            inside = tuple(
                session.ref(n)
                for c, n, _ in _walk(session, control.children, node, depth + 1)
                if c.kind not in ("group", "repeat") and n.relevant
            )
            if inside:
                found.append(Screen(GROUP, session.ref(node), inside))
        elif control.kind != "group":
            found.append(Screen(QUESTION, session.ref(node), (session.ref(node),)))
    return found, cacheable


def _fixed_prompt(session: FormSession, control: Control) -> bool:
    if control.no_add_remove is not None:
        return False
    label = _prompt_label(session, control)
    if label is None:
        return True
    if label.ref is not None:
        return False
    texts = [label.parts]
    if label.itext_id is not None:
        languages = (None, *session.definition.languages)
        texts = [session.definition.text(label.itext_id, lang) or () for lang in languages]
    return all(isinstance(part, str) for parts in texts for part in parts)


def jump(session: FormSession, ref: str) -> int | None:
    for i, screen in enumerate(session.screens()):
        if screen.ref == ref or ref in screen.questions:
            return i
    return None


def outline(session: FormSession) -> list[OutlineEntry]:
    entries: list[OutlineEntry] = []
    for control, node, depth in _walk(
        session, session.definition.body, session.document, 0, everything=True
    ):
        if control.kind in ("group", "repeat"):
            continue
        if not node.relevant:
            state = NOT_RELEVANT
        else:
            problem = session.problem_of(node)
            if problem is not None:
                state = REQUIRED_MISSING if node.text == "" else INVALID
            else:
                state = ANSWERED if node.text else UNANSWERED
        entries.append(
            OutlineEntry(session.ref(node), session.label(session.ref(node)), state, depth)
        )
    return entries


def questions(session: FormSession) -> Iterator[Node]:
    """The node of every relevant question, in form order (field-list groups entered)."""
    for control, node, _ in _walk(
        session, session.definition.body, session.document, 0, everything=True
    ):
        if control.kind not in ("group", "repeat") and node.relevant:
            yield node


def _walk(
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
            yield from _walk(session, control.children, context, depth, everything=everything)
            continue
        if control.kind == "repeat":
            parent = _within(session, context, control.ref.rsplit("/", 1)[0])
            if not parent:
                continue
            for instance in nodes_at(parent[0], control.ref):
                if instance.relevant or everything:
                    yield from _walk(
                        session, control.children, instance, depth + 1, everything=everything
                    )
            yield control, parent[0], depth
            continue
        for node in _within(session, context, control.ref)[:1]:
            yield control, node, depth
            if control.kind == "group" and (node.relevant or everything):
                if not control.is_field_list or everything:
                    yield from _walk(
                        session, control.children, node, depth + 1, everything=everything
                    )


def _within(session: FormSession, context: Node, pattern: str) -> list[Node]:
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


def _prompt(session: FormSession, control: Control, parent: Node) -> Screen | None:
    assert control.ref is not None
    if control.count is not None or not parent.relevant:
        return None
    instances = nodes_at(parent, control.ref)
    if instances and not instances[0].relevant:
        return None
    if control.no_add_remove is not None:
        fixed = session.run(session.compiled(control.no_add_remove), parent)
        if to_boolean(fixed):
            return None
    label = _prompt_label(session, control)
    text = session.label_text(label, parent) or control.ref.rsplit("/", 1)[1]
    ref = f"{session.ref(parent)}/{control.ref.rsplit('/', 1)[1]}"
    message = render_in("session.repeat_prompt", {"label": text}, session.language)
    return Screen(REPEAT_PROMPT, ref, (), message)

"""What a session shows: labels, hints and choice lists, in the current language.

Text comes from the form (inline or itext) with its `<output>`s evaluated against the
question's node; itemsets are evaluated with `current()` = the question (cascading
selects). Nothing here is cached: a label always reflects the latest answers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from forms.definition import Control, Label
from forms.errors import FormError, Place
from forms.session_paths import nodes_at, pattern_of
from forms.session_recompute import Recomputer
from forms.xpath.tree import Node
from forms.xpath.values import Value, to_string

SELECT_KINDS = ("select1", "select", "rank")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


class SessionText(Recomputer):
    language: str | None
    number_format: Callable[[float], str] | None = None
    """How a label shows a number it outputs (a numeric question or a calculation), e.g.
    French "1 234,5"; None shows it as XPath's string() gives it."""

    def control(self, ref: str) -> Control | None:
        return self.definition.control_for(pattern_of(ref))

    def node(self, ref: str) -> Node:
        node = self.index.find(ref)
        if node is None:
            if len(nodes_at(self.document, pattern_of(ref))) > 1:
                raise FormError.of("session.ambiguous_ref", Place(field=ref), ref=ref)
            raise FormError.of("session.no_such_field", Place(field=ref), ref=ref)
        return node

    def set_language(self, language: str) -> None:
        self.language = language

    def choices(self, ref: str) -> list[Choice]:
        control = self.control(ref)
        if control is None or control.kind not in SELECT_KINDS:
            raise FormError.of("session.not_a_question", Place(field=ref), ref=ref)
        return self._choices(control, self.node(ref))

    def _choices(self, control: Control, node: Node) -> list[Choice]:
        if control.itemset is None:
            return [Choice(i.value, self.label_text(i.label, node)) for i in control.items]
        itemset = control.itemset
        try:
            found = self.run(self.compiled(itemset.nodeset), node)
        except FormError as error:
            if error.code == "xpath.unknown_instance":
                return []  # an attachment the caller chose to go without
            raise
        if not isinstance(found, list):
            return []
        value_of = self.compiled(itemset.value)
        choices: list[Choice] = []
        for item in found:
            value = to_string(value_of(self.context(item, node)))
            choices.append(Choice(value, self.label_text(itemset.label, item, node)))
        return choices

    def label(self, ref: str) -> str:
        control = self.control(ref)
        return self.label_text(control.label if control else None, self.node(ref))

    def hint(self, ref: str) -> str:
        control = self.control(ref)
        return self.label_text(control.hint if control else None, self.node(ref))

    def label_text(self, label: Label | None, node: Node, current: Node | None = None) -> str:
        if label is None:
            return ""
        if label.ref is not None:
            return to_string(self.run(self.compiled(label.ref), node, current)).strip()
        parts = (
            self.definition.text(label.itext_id, self.language) or ()
            if label.itext_id is not None
            else label.parts
        )
        pieces: list[str] = []
        for part in parts:
            if isinstance(part, str):
                pieces.append(part)
            else:
                try:
                    pieces.append(self._output_text(self.run(self.compiled(part.value), node)))
                except FormError:
                    pieces.append("")
        return "".join(pieces).strip()

    def _output_text(self, value: Value) -> str:
        """An `<output>`'s text: a number the form computes or asked for, in
        `number_format`; anything else (an ID typed as text) as it is."""
        text = to_string(value)
        if self.number_format is None or not _NUMBER.fullmatch(text):
            return text
        numeric = isinstance(value, float)
        if isinstance(value, list) and value:
            bind = self.definition.bind_for(value[0].path())
            numeric = bind is not None and (
                bind.calculate is not None or bind.datatype in ("int", "decimal")
            )
        return self.number_format(float(text)) if numeric else text

    def _itext(self, itext_id: str) -> str:
        parts = self.definition.text(itext_id, self.language) or ()
        return "".join(p for p in parts if isinstance(p, str))

    def _choice_label(self, value: str, node: Node) -> str:
        control = self.definition.control_for(node.path())
        if control is None:
            return value
        for choice in self._choices(control, node):
            if choice.value == value:
                return choice.label
        return value

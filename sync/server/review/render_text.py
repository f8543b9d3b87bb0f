"""The words a submission is shown with: labels and choice labels in a chosen language, as the
enumerator saw them.

The submission is loaded into a `FormSession` with the form's attached files, so a label's
`${ref}` outputs are evaluated on this interview ("Age of Kofi (years)", a note's computed
text) and choices from a CSV file (select_one_from_file) read their labels from it, exactly as
the app shows them (ODK Collect: the question text is the label with its `<output>`s filled in,
and a select shows the chosen item's label). A column heading of a repeat table holds no row's
answers: there an output reads as its field's name in brackets (`Age of [name] (years)`).
A submission the engine cannot load (a form version it does not match) still shows, with
static labels.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from contextlib import suppress

from forms.definition import Control, FormDefinition, Label, Output
from forms.errors import FormError
from forms.session import FormSession
from forms.session_paths import pattern_of

NAME = re.compile(r"[A-Za-z_][\w.\-]*")
INSTANCE = re.compile(r"instance\(\s*'([^']+)'")
SELECTS = ("select1", "select", "rank")


def placeholder(output: Output) -> str:
    """`[name]` for `<output value="../name"/>`: the last name the expression reads."""
    names = [n for n in NAME.findall(output.value.text) if not n.startswith(".")]
    return f"[{names[-1]}]" if names else "[…]"


def form_files(
    definition: FormDefinition, stored: Mapping[str, str], read: Callable[[str], bytes]
) -> dict[str, bytes]:
    """The form's attached files its choice lists and lookups read (not its images), from
    `stored` (file name → blob key) through `read`."""
    wanted = {i.filename for i in definition.secondary_instances if i.filename is not None}
    return {name: read(key) for name, key in stored.items() if name in wanted}


class Wording:
    """Labels of one submission in one language (the form's default if it has no such one)."""

    def __init__(
        self,
        definition: FormDefinition,
        language: str | None,
        xml: str,
        media: Mapping[str, bytes],
    ) -> None:
        self.form = definition
        known = definition.languages
        self.language = language if language in known else definition.default_language
        self.session: FormSession | None
        try:
            self.session = FormSession.load(
                definition,
                xml,
                attachments=media,
                language=self.language,
                allow_missing_attachments=True,
            )
        except FormError:
            self.session = None

    def text(self, label: Label | None, fallback: str) -> str:
        """A label without a row or an interview to fill it: outputs as `[name]`."""
        if label is None:
            return fallback
        parts = label.parts
        if label.itext_id is not None:
            parts = self.form.text(label.itext_id, self.language) or ()
        text = "".join(p if isinstance(p, str) else placeholder(p) for p in parts).strip()
        return text or fallback

    def label(self, control: Control, ref: str, fallback: str) -> str:
        """The label of the question at `ref` (`/data/member[2]/age`) with its outputs
        evaluated on this submission."""
        if self.session is not None and control.label is not None:
            try:
                said = self.session.label_text(control.label, self.session.node(ref))
            except FormError:
                said = ""
            if said:
                return said
        return self.text(control.label, fallback)

    def shown(self, ref: str) -> bool:
        """Whether the enumerator was shown the question at `ref` (relevant on this
        submission); without the engine, every question found counts as shown."""
        if self.session is None:
            return True
        try:
            return self.session.is_relevant(ref)
        except FormError:
            return True

    def choices(self, control: Control, ref: str) -> dict[str, str]:
        """Value → label of the choices of the select at `ref`, itemsets and CSV lists too
        (without the engine: the form's own lists, not those of a file)."""
        labels = {item.value: self.text(item.label, item.value) for item in control.items}
        if self.session is not None and control.kind in SELECTS:
            with suppress(FormError):  # a ref the engine cannot place: the form's own lists
                return labels | {c.value: c.label or c.value for c in self.session.choices(ref)}
        return labels | self._listed(control)

    def said(self, ref: str, value: str) -> str:
        """`value` of the question at `ref` as a reader sees it: a choice by its label (the
        rest as it is), for a version history's before and after."""
        control = self.form.control_for(pattern_of(ref))
        if control is None or control.kind not in SELECTS or not value:
            return value
        labels = self.choices(control, ref)
        return ", ".join(labels.get(v, v) for v in value.split())

    def _listed(self, control: Control) -> dict[str, str]:
        """The items of an itemset from a list inside the form (`instance('yes_no')`), by
        their `name` and their itext or `label`."""
        itemset = control.itemset
        found = INSTANCE.search(itemset.nodeset.text) if itemset is not None else None
        source = self.form.secondary_instance(found.group(1)) if found else None
        if source is None or source.content is None:
            return {}
        roots = source.document().children
        labels: dict[str, str] = {}
        for item in roots[0].children if roots else []:
            fields = {child.name: child.text for child in item.children}
            value = fields.get("name", fields.get("value", ""))
            itext = (
                self.form.text(fields["itextId"], self.language) if "itextId" in fields else None
            )
            said = "".join(p for p in itext or () if isinstance(p, str)) or fields.get("label")
            labels[value] = said or value
        return labels

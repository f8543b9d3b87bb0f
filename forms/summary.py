"""A readable outline of a form: what `fieldapp forms show` prints.

For a survey designer checking what the engine understood of their XLSForm:
title, id, version, languages, and every group, repeat and question with its
type and label in the chosen language.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from forms.definition import Control, FormDefinition, Label, Output
from forms.errors import FormError, Place
from forms.open_form import open_form


def label_text(definition: FormDefinition, label: Label | None, language: str | None) -> str:
    """A label as plain text, outputs shown as `${...}` (nothing is evaluated here)."""
    if label is None:
        return ""
    parts = label.parts
    if label.itext_id is not None:
        parts = definition.text(label.itext_id, language) or ()
    return "".join(
        p if isinstance(p, str) else f"${{{p.value.text.strip()}}}"
        for p in parts
        if isinstance(p, str | Output)
    ).strip()


def describe(definition: FormDefinition, language: str | None = None) -> str:
    language = language or definition.default_language
    lines = [
        f"{definition.title}",
        f"  form id: {definition.form_id}    version: {definition.version or '-'}",
        f"  languages: {', '.join(definition.languages) or '(no translations)'}"
        + (f"    showing: {language}" if language else ""),
    ]
    kinds: Counter[str] = Counter()
    body: list[str] = []
    for control in definition.body:
        _outline(definition, control, language, 1, body, kinds)
    calculates = sum(1 for b in definition.binds if b.calculate is not None)
    counts = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
    lines.append(f"  contains: {counts}, {calculates} calculations")
    for warning in definition.warnings:
        lines.append(f"  warning: {warning}")
    return "\n".join([*lines, "", *body])


def _outline(
    definition: FormDefinition,
    control: Control,
    language: str | None,
    depth: int,
    out: list[str],
    kinds: Counter[str],
) -> None:
    kinds[control.kind] += 1
    name = (control.ref or "").rsplit("/", 1)[-1]
    kind = control.kind
    if control.bind is not None and kind not in ("group", "repeat"):
        kind = f"{kind}:{control.bind.datatype}"
    text = label_text(definition, control.label, language)
    marker = " *" if control.bind is not None and control.bind.required is not None else ""
    out.append(f"{'  ' * depth}{name or '(group)'} [{kind}]{marker} {text}".rstrip())
    for child in control.children:
        _outline(definition, child, language, depth + 1, out, kinds)


def describe_file(
    path: Path, language: str | None = None, *, allow_choice_duplicates: bool = False
) -> str:
    definition = open_form(path, allow_choice_duplicates=allow_choice_duplicates)
    if language is not None and language not in definition.languages:
        raise FormError.of(
            "summary.no_language",
            Place(path.name),
            language=language,
            available=", ".join(definition.languages) or "none",
        )
    return describe(definition, language)

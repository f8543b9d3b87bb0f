"""A submission shown with its form's labels in a chosen language, for the supervisor, as the
enumerator saw it: in the form's order, labels and notes with their `${ref}`s filled in, choices
(CSV ones too) by their labels (`render_text`), questions the enumerator was not shown left out.

Top-level groups and repeats are sections; a repeat is a table (one row per instance) placed
among its section's answers where the form has it. A repeat inside a repeat is a row count in
its parent's table and a table of its own in the parent's `nested`, each row labelled with
where it sits ("Plot 2 › Harvest season 1"). Geopoints are split into numbers; media answers
name their attachment, and a table says which of its columns are file questions. Refs are the
device's (`/data/member[2]/age`), so a comment written against one shows on that question on
the enumerator's tablet.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType
from xml.etree.ElementTree import Element

from defusedxml.ElementTree import fromstring
from pydantic import BaseModel

from forms.definition import Control, FormDefinition
from sync.server.review.render_text import Wording

QUESTION_KINDS = ("input", "select1", "select", "range", "upload", "rank", "secret", "trigger")
FILE_KINDS = ("image", "audio", "video", "file")
"""Column kinds of file questions: the cell names one of the submission's attachments."""
EMPTY: Mapping[str, bytes] = MappingProxyType({})


class Answer(BaseModel):
    ref: str
    label: str
    value: str
    display: str
    kind: str
    gps: list[float] | None = None
    attachment: str | None = None


class Table(BaseModel):
    ref: str
    """The repeat's nodeset; a cell's ref is its row's ref followed by its column ref's rest."""
    label: str
    columns: list[str]
    column_refs: list[str]
    rows: list[list[str]]
    column_kinds: list[str] = []
    """Per column: one of FILE_KINDS for a file question, `geopoint`, `repeat` (a nested
    repeat: the cell counts its rows, their table is in `nested`) or `text`."""
    row_refs: list[str] = []
    """Each row's instance, as the device names it (`/data/plot[2]/season[1]`)."""
    row_labels: list[str] = []
    """Each row's place for a reader: `Plot 2`, or `Plot 2 › Harvest season 1` when nested."""
    geopoints: list[Answer] = []
    """The geopoint cells, labelled with their row, for the GPS review."""
    nested: list[Table] = []
    """A table per repeat inside this one, with the rows of every instance of this one."""


class Section(BaseModel):
    ref: str
    label: str
    answers: list[Answer] = []
    tables: list[Table] = []
    seconds: float | None = None
    table_places: list[int] = []
    """Per table, how many of the section's answers come before it in the form."""


class Rendered(BaseModel):
    form_id: str
    title: str
    name: str = ""
    """The interview's name (`meta/instanceName`, e.g. the household), "" when it has none."""
    language: str | None
    languages: list[str]
    sections: list[Section]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def is_note(control: Control, value: str = "") -> bool:
    """A note: a read-only text question with nothing in it (and nothing computed into it),
    shown for its label alone."""
    bind = control.bind
    readonly = bind.readonly if bind is not None else None
    return (
        control.kind == "input"
        and not value
        and readonly is not None
        and readonly.text.replace(" ", "") == "true()"
        and (bind is None or bind.calculate is None)
    )


def answer(wording: Wording, control: Control, ref: str, value: str) -> Answer:
    display, gps, attachment = value, None, None
    datatype = control.bind.datatype if control.bind is not None else "string"
    if control.kind in ("select1", "select", "rank") and value:
        labels = wording.choices(control, ref)
        display = ", ".join(labels.get(v, v) for v in value.split())
    elif datatype == "geopoint" and value:
        try:
            gps = [float(p) for p in value.split()]
        except ValueError:
            gps = None
    elif control.kind == "upload" and value:
        attachment = value
    kind = "geopoint" if datatype == "geopoint" else control.mediatype or control.kind
    if is_note(control, value):
        kind = "note"
    return Answer(
        ref=ref,
        label=wording.label(control, ref, ref.rsplit("/", 1)[-1]),
        value=value,
        display=display,
        kind=kind,
        gps=gps,
        attachment=attachment,
    )


def _children(element: Element | None, name: str) -> list[Element]:
    if element is None:
        return []
    return [child for child in element if _local(child.tag) == name]


def _descend(element: Element | None, steps: Sequence[str]) -> Element | None:
    for step in steps:
        found = _children(element, step)
        element = found[0] if found else None
    return element


def _relative(ref: str, base_pattern: str) -> list[str]:
    return [s for s in ref[len(base_pattern) :].split("/") if s]


def render(
    xml: str,
    definition: FormDefinition,
    language: str | None = None,
    media: Mapping[str, bytes] = EMPTY,
    wording: Wording | None = None,
) -> Rendered:
    """`xml` as its enumerator saw it, in form order: the form's top-level questions in runs
    between its groups (each run a section under the form's title), each group or repeat a
    section. `media` holds the form's attached files by name (`render_text.form_files`);
    `wording`, when the caller has made it for `xml` already, saves loading it twice."""
    root = fromstring(xml, forbid_dtd=True)
    wording = wording or Wording(definition, language, xml, media)
    base = "/" + definition.root_name
    sections: list[Section] = []
    for control in map(_unwrapped, definition.body):
        if control.kind in ("group", "repeat"):
            # an unlabelled group has no heading (Collect shows none); a repeat keeps its name
            name = "" if control.kind == "group" else (control.ref or "").rsplit("/", 1)[-1]
            section = Section(ref=control.ref or base, label=wording.text(control.label, name))
            inside = [control] if control.kind == "repeat" else list(control.children)
            _fill(wording, section, inside, root, base, base)
            sections.append(section)
            continue
        if not sections or sections[-1].ref != base:
            sections.append(Section(ref=base, label=definition.title or definition.form_id))
        _fill(wording, sections[-1], [control], root, base, base)
    named = _descend(root, ["meta", "instanceName"])
    return Rendered(
        form_id=definition.form_id,
        title=definition.title,
        name=(named.text or "").strip() if named is not None else "",
        language=wording.language,
        languages=list(definition.languages),
        sections=[s for s in sections if s.answers or s.tables],
    )


def _fill(
    wording: Wording,
    section: Section,
    controls: list[Control],
    element: Element,
    pattern: str,
    concrete: str,
) -> None:
    """Answers of `controls` found under `element` (the node at `concrete`, pattern `pattern`),
    and their repeats as tables placed after the answers before them."""
    for control in map(_unwrapped, controls):
        if control.kind == "repeat" and control.ref:
            parents = [_Row(concrete, "", element)]
            section.tables.append(_table(wording, control, pattern, parents))
            section.table_places.append(len(section.answers))
        elif control.kind == "group":
            _fill(wording, section, list(control.children), element, pattern, concrete)
        elif control.kind in QUESTION_KINDS and control.ref:
            steps = _relative(control.ref, pattern)
            found = _descend(element, steps)
            ref = concrete + "/" + "/".join(steps)
            value = "" if found is None else (found.text or "").strip()
            if found is not None and (value or wording.shown(ref)):
                section.answers.append(answer(wording, control, ref, value))


def _unwrapped(control: Control) -> Control:
    """pyxform puts a repeat in a group of the same ref that holds the label: the repeat with
    that label, so tables and their rows are named in the chosen language."""
    if control.kind == "group" and len(control.children) == 1:
        inner = control.children[0]
        if inner.kind == "repeat" and inner.ref == control.ref and inner.label is None:
            return replace(inner, label=control.label)
    return control


def _leaves(controls: Sequence[Control]) -> Iterator[Control]:
    for control in map(_unwrapped, controls):
        if control.kind == "group":
            yield from _leaves(control.children)
        elif control.kind == "repeat" or control.kind in QUESTION_KINDS:
            yield control


@dataclass(frozen=True)
class _Row:
    """An instance rows are looked for under: its ref, its label ("" at the top), its node."""

    ref: str
    label: str
    element: Element


def _empty(column: Control, pattern: str, rows: list[_Row]) -> bool:
    """Whether `column` (of a repeat at `pattern`) has no value in any of `rows`."""
    inner = _relative(column.ref or "", pattern)
    found = (_descend(row.element, inner) for row in rows)
    return not any((node.text or "").strip() for node in found if node is not None)


def column_kind(control: Control) -> str:
    """What a table cell of `control` holds (see `Table.column_kinds`)."""
    datatype = control.bind.datatype if control.bind is not None else "string"
    if control.kind == "repeat":
        return "repeat"
    if control.kind == "upload" or datatype == "binary":
        media = (control.mediatype or "").split("/", 1)[0]
        return media if media in FILE_KINDS else "file"
    return "geopoint" if datatype == "geopoint" else "text"


def _table(wording: Wording, repeat: Control, outer: str, parents: list[_Row]) -> Table:
    """The instances of `repeat` under each of `parents` (nodes at pattern `outer`), in order."""
    pattern = repeat.ref or ""
    steps = _relative(pattern, outer)
    name = wording.text(repeat.label, pattern.rsplit("/", 1)[-1])
    rows = [
        _Row(
            f"{parent.ref}/{'/'.join(steps)}[{position}]",
            f"{parent.label} › {name} {position}" if parent.label else f"{name} {position}",
            element,
        )
        for parent in parents
        for position, element in enumerate(
            _children(_descend(parent.element, steps[:-1]), steps[-1]), start=1
        )
    ]
    columns = [  # a note holds no answer: not a column of empty cells
        c for c in _leaves(repeat.children) if not (is_note(c) and _empty(c, pattern, rows))
    ]
    table = Table(
        ref=pattern,
        label=name,
        columns=[wording.text(c.label, (c.ref or "").rsplit("/", 1)[-1]) for c in columns],
        column_refs=[c.ref or "" for c in columns],
        rows=[],
        column_kinds=[column_kind(c) for c in columns],
        row_refs=[row.ref for row in rows],
        row_labels=[row.label for row in rows],
    )
    for row in rows:
        cells = []
        for column in columns:
            inner = _relative(column.ref or "", pattern)
            if column.kind == "repeat":
                count = len(_children(_descend(row.element, inner[:-1]), inner[-1]))
                cells.append(f"{count} rows")
                continue
            found = _descend(row.element, inner)
            value = (found.text or "").strip() if found is not None else ""
            shown = answer(wording, column, f"{row.ref}/{'/'.join(inner)}", value)
            if shown.gps is not None:
                label = f"{row.label} › {shown.label}"
                table.geopoints.append(shown.model_copy(update={"label": label}))
            cells.append(shown.display)
        table.rows.append(cells)
    table.nested = [_table(wording, c, pattern, rows) for c in columns if c.kind == "repeat"]
    return table

"""The tables of an export, as ODK Central shapes them, derived from a form definition.

One table for the submissions and one per repeat. A column is the field's path below
its table joined with `-` (`person-name`); a geopoint gives four columns
(`gps-Latitude`, ...); a select-multiple with a fixed list keeps its own column and
adds one 0/1 column per choice (`activities/own_farm`), as Central's split option does.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import cached_property

from forms.definition import Control, FormDefinition, Label, TemplateNode, TextPart

GEO_PARTS = ("Latitude", "Longitude", "Altitude", "Accuracy")
ROOT_EXTRA = ("KEY", "SubmitterName", "District", "ReviewState", "FormVersion")


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class Field:
    """A leaf of the instance: `path` absolute, `header` its column name in its table."""

    path: str
    header: str
    datatype: str
    kind: str
    """`plain`, `geopoint`, `select1` or `select` (a fixed-list select)."""
    label: str
    choices: tuple[Choice, ...] = ()
    calculated: bool = False
    """A calculate's field (a value the form computes, no question)."""

    @property
    def columns(self) -> tuple[str, ...]:
        if self.kind == "geopoint":
            return tuple(f"{self.header}-{part}" for part in GEO_PARTS)
        if self.kind == "select":
            return (self.header, *(f"{self.header}/{c.value}" for c in self.choices))
        return (self.header,)


@dataclass(frozen=True)
class Table:
    """`path` is the repeat's path (the root element's for the submissions table)."""

    name: str
    path: str
    parent: str | None
    fields: tuple[Field, ...] = field(default=())

    @cached_property
    def split(self) -> bool:
        """Whether a field gives several columns (a geopoint or a select-multiple)."""
        return any(f.kind in ("geopoint", "select") for f in self.fields)

    @property
    def is_root(self) -> bool:
        return self.parent is None

    @property
    def columns(self) -> tuple[str, ...]:
        own = tuple(c for f in self.fields for c in f.columns)
        if self.is_root:
            return ("SubmissionDate", *own, *ROOT_EXTRA)
        return (*own, "PARENT_KEY", "KEY")


@dataclass(frozen=True)
class ExportSchema:
    form_id: str
    tables: tuple[Table, ...]

    @property
    def has_repeats(self) -> bool:
        """Whether the export has several tables (then CSV and Stata are zips of files)."""
        return len(self.tables) > 1

    def table(self, path: str) -> Table:
        return next(t for t in self.tables if t.path == path)

    @cached_property
    def fingerprint(self) -> str:
        """What decides the cells a submission's XML gives (tables, fields, their kinds and
        choices; not labels or headers): rows stored under one fingerprint fit any schema
        with the same one."""
        shape = [
            [t.path, t.parent, [[f.path, f.kind, [c.value for c in f.choices]] for f in t.fields]]
            for t in self.tables
        ]
        text = json.dumps([self.form_id, shape], separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


_PATH = re.compile(r"[\w.:-]*(?:/[\w.:-]+)+")


def readable(parts: tuple[TextPart, ...]) -> str:
    """A label's text with each `${name}` it shows (an `<output>`) as `[name]`: an export's
    label is read without any answer, and "Relation of  to the head" hides what it asks."""
    text = []
    for part in parts:
        if isinstance(part, str):
            text.append(part)
        else:
            shown = _PATH.sub(lambda m: m.group(0).rsplit("/", 1)[1], part.value.text.strip())
            text.append(f"[{shown}]")
    return " ".join("".join(text).split())


def label_text(definition: FormDefinition, label: Label | None, language: str | None) -> str:
    if label is None:
        return ""
    if label.itext_id is not None:
        return readable(definition.text(label.itext_id, language) or ())
    return readable(label.parts)


def choices_of(
    definition: FormDefinition, control: Control, language: str | None
) -> tuple[Choice, ...]:
    """The choices of a select with a fixed list (inline items or an inline instance)."""
    if control.items:
        return tuple(
            Choice(i.value, label_text(definition, i.label, language) or i.value)
            for i in control.items
        )
    itemset = control.itemset
    if itemset is None or itemset.instance_id is None or itemset.value.text != "name":
        return ()
    instance = definition.secondary_instance(itemset.instance_id)
    if instance is None or instance.content is None:
        return ()
    found = []
    for item in instance.content.children:
        values = {child.name: child.text for child in item.children}
        if "name" not in values:
            continue
        text = values.get("label", "")
        if "itextId" in values:
            text = readable(definition.text(values["itextId"], language) or ())
        found.append(Choice(values["name"], text or values["name"]))
    return tuple(found)


def build_schema(definition: FormDefinition, language: str | None = None) -> ExportSchema:
    language = language or definition.default_language
    repeats = definition.repeat_paths
    tables: list[Table] = []
    done: set[str] = set()

    def collect(table_path: str, parent: str | None, node: TemplateNode) -> None:
        fields: list[Field] = []
        stack = list(reversed(node.children))
        while stack:
            child = stack.pop()
            if child.path in repeats:
                if child.path not in done:
                    done.add(child.path)
                    collect(child.path, table_path, child)
                continue
            if child.children:
                stack.extend(reversed(child.children))
                continue
            fields.append(_field(definition, table_path, child, language))
        name = f"{definition.form_id}-{node.name}" if parent is not None else definition.form_id
        tables.append(Table(name, table_path, parent, tuple(fields)))

    collect(definition.instance.path, None, definition.instance)
    tables.sort(key=lambda t: (t.parent is not None, _order(definition, t.path)))
    return ExportSchema(definition.form_id, tuple(tables))


def _order(definition: FormDefinition, path: str) -> int:
    for index, node in enumerate(definition.instance.iter()):
        if node.path == path:
            return index
    return 0


def _field(
    definition: FormDefinition, table_path: str, node: TemplateNode, language: str | None
) -> Field:
    header = node.path[len(table_path) + 1 :].replace("/", "-")
    control = definition.control_for(node.path)
    datatype = node.datatype or "string"
    label = label_text(definition, control.label, language) if control else ""
    if datatype == "geopoint":
        return Field(node.path, header, datatype, "geopoint", label)
    if control is not None and control.kind in ("select", "select1"):
        choices = choices_of(definition, control, language)
        if choices:
            return Field(node.path, header, datatype, control.kind, label, choices)
    bind = definition.bind_for(node.path)
    calculated = bind is not None and bind.calculate is not None
    return Field(node.path, header, datatype, "plain", label, calculated=calculated)

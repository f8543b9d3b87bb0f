"""A stored submission flattened into the rows of its export tables (Central's shape).

The hot path of every export. The schema is compiled once into a plan: for each
table, a dict from an element's tag to what it is (a field's position, a group to
descend into, a repeat that starts a row of another table), so a submission costs
one C-level parse and one dict lookup per element.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element, ParseError, fromstring

from sync.server.errors import BadRequest
from sync.server.exports.schema import ExportSchema, Field, Table

Row = tuple[str, ...]


@dataclass(frozen=True)
class SubmissionMeta:
    instance_id: str
    submitted_at: str
    enumerator: str
    district: str | None
    state: str
    form_version: str | None
    xml: str
    stored: str | None = None
    """The rows ingestion stored (`stored.py`), when they fit the export's schema; then
    `xml` is not read."""


class RefusedXml(BadRequest):
    """A stored submission the exports will not or cannot parse (a DTD: never expanded;
    XML that does not parse); a message, not a traceback, wherever the export runs (a
    worker process pickles it back)."""


def parse(xml: str) -> Element:
    """The C parser, which expands internal entities: a DTD (never stored, ingestion refuses
    one) is refused here too, so no entity is ever expanded while exporting."""
    if "<!DOCTYPE" in xml or "<!ENTITY" in xml:
        raise RefusedXml("a submission with a DTD (<!DOCTYPE ...>) cannot be exported")
    return fromstring(xml)


def field_cells(field: Field, text: str | None) -> tuple[str, ...]:
    value = (text or "").strip()
    if field.kind == "geopoint":
        parts = value.split()
        return tuple(parts[i] if i < len(parts) else "" for i in range(4))
    if field.kind == "select":
        if not value:
            return (value, *("" for _ in field.choices))
        picked = set(value.split())
        return (value, *("1" if c.value in picked else "0" for c in field.choices))
    return (value,)


Plan = tuple[dict[str, int], list[tuple[str, "Plan", int | None]]]
"""One level of a table: tag -> code, a field's index (>= 0) or `-1 - n` for the n-th
entry of the list, a group (None) or a repeat (its table's index) with its own level."""

Part = list[Any]
"""One row without what depends on the submission's metadata or review state:
`[table index, key suffix, *cells]`; the suffix is `/member[2]/plot[1]` below the
instanceID (empty for the root row), the cells are the table's field columns."""


class Flattener:
    """Turns submission XML into `(table, row)` pairs; one instance per form schema.

    It goes in two steps: `parts` (the XML's rows without the submission's metadata:
    what ingestion stores, see `stored.py`) and `finish` (the rows with it). A submission
    read with its stored parts is flattened without parsing its XML."""

    def __init__(self, schema: ExportSchema) -> None:
        self.schema = schema
        self._plans: dict[str, Plan] = {}
        self._splits = {t.path: _splits(t) for t in schema.tables}
        self._index = {t.path: i for i, t in enumerate(schema.tables)}

    def _plan(self, namespace: str) -> Plan:
        """The root table's plan, tags qualified with the instance's namespace (`{ns}`)."""
        found = self._plans.get(namespace)
        if found is not None:
            return found
        tables = self.schema.tables

        def descend(plan: Plan, steps: list[str]) -> Plan:
            for step in steps:
                tag = namespace + step
                code = plan[0].get(tag)
                if code is None:
                    code = plan[0][tag] = -1 - len(plan[1])
                    plan[1].append((tag, ({}, []), None))
                plan = plan[1][-1 - code][1]
            return plan

        def compile_table(table: Table) -> Plan:
            plan: Plan = ({}, [])
            prefix = table.path + "/"
            for index, field in enumerate(table.fields):
                steps = field.path[len(prefix) :].split("/")
                descend(plan, steps[:-1])[0][namespace + steps[-1]] = index
            for child in tables:
                if child.parent != table.path:
                    continue
                steps = child.path[len(prefix) :].split("/")
                level = descend(plan, steps[:-1])
                tag = namespace + steps[-1]
                level[0][tag] = -1 - len(level[1])
                level[1].append((steps[-1], compile_table(child), self._index[child.path]))
            return plan

        found = compile_table(tables[0])
        self._plans[namespace] = found
        return found

    def rows(self, meta: SubmissionMeta) -> list[tuple[Table, Row]]:
        """The submission's root row first, then each repeat's rows in document order
        (a row before the rows of the repeats inside it)."""
        if meta.stored is not None:
            return self.finish(meta, json.loads(meta.stored))
        try:
            root = parse(meta.xml)
        except ParseError as error:
            raise RefusedXml(
                f"submission {meta.instance_id}: its stored XML cannot be read ({error})"
            ) from None
        return self.finish(meta, self.parts(root))

    def parts(self, root: Element) -> list[Part]:
        """The rows of a parsed submission without its metadata (see `Part`)."""
        tag = root.tag
        namespace = tag[: tag.index("}") + 1] if tag.startswith("{") else ""
        values: list[str | None] = [None] * len(self.schema.tables[0].fields)
        out: list[Part] = [[]]
        self._walk(root, self._plan(namespace), values, "", out)
        out[0] = [0, "", *self._cells(self.schema.tables[0], values)]
        return out

    def finish(self, meta: SubmissionMeta, parts: list[Part]) -> list[tuple[Table, Row]]:
        """`parts` as export rows: the root row with its submission date and metadata
        columns, the repeats' rows with `PARENT_KEY` and `KEY`."""
        tables, key = self.schema.tables, meta.instance_id
        out: list[tuple[Table, Row]] = []
        for part in parts:
            index, suffix = part[0], part[1]
            if index == 0:
                tail = (key, meta.enumerator, meta.district or "", meta.state)
                row = (meta.submitted_at, *part[2:], *tail, meta.form_version or "")
            else:
                row = (*part[2:], key + suffix[: suffix.rindex("/")], key + suffix)
            out.append((tables[index], row))
        return out

    def _cells(self, table: Table, values: list[str | None]) -> list[str]:
        cells = [text.strip() if text else "" for text in values]
        for position, field in self._splits[table.path]:
            cells[position : position + 1] = field_cells(field, values[position])
        return cells

    def _walk(
        self,
        element: Element,
        plan: Plan,
        values: list[str | None],
        key: str,
        out: list[Part],
    ) -> None:
        codes, nested = plan
        get = codes.get
        seen: dict[str, int] | None = None
        for child in element:
            code = get(child.tag)
            if code is None:
                continue
            if code >= 0:
                values[code] = child.text
                continue
            name, below, index = nested[-1 - code]
            if index is None:
                self._walk(child, below, values, key, out)
                continue
            if seen is None:
                seen = {}
            number = seen[name] = seen.get(name, 0) + 1
            child_key = f"{key}/{name}[{number}]"
            table = self.schema.tables[index]
            own: list[str | None] = [None] * len(table.fields)
            at = len(out)
            out.append([])
            self._walk(child, below, own, child_key, out)
            out[at] = [index, child_key, *self._cells(table, own)]


def _splits(table: Table) -> list[tuple[int, Field]]:
    """The fields giving several cells, by position among the fields, last first (so
    splicing their cells in keeps the earlier positions)."""
    found = [(i, f) for i, f in enumerate(table.fields) if f.kind in ("geopoint", "select")]
    return found[::-1]

"""A stored submission flattened into the rows of its export tables (Central's shape).

The hot path of every export. The schema is compiled once into a plan: for each
table, a dict from an element's tag to what it is (a field's position, a group to
descend into, a repeat that starts a row of another table), so a submission costs
one C-level parse and one dict lookup per element.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.etree.ElementTree import Element, fromstring

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


class RefusedXml(BadRequest):
    """A stored submission the exports will not parse (a DTD: never expanded); a message,
    not a traceback, wherever the export runs (a worker process pickles it back)."""


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


Plan = tuple[dict[str, int], list[tuple[str, "Plan", Table | None]]]
"""One level of a table: tag -> code, a field's index (>= 0) or `-1 - n` for the n-th
entry of the list, a group (table None) or a repeat (its table) with its own level."""


class Flattener:
    """Turns submission XML into `(table, row)` pairs; one instance per form schema."""

    def __init__(self, schema: ExportSchema) -> None:
        self.schema = schema
        self._plans: dict[str, Plan] = {}
        self._splits = {t.path: _splits(t) for t in schema.tables}

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
                level[1].append((steps[-1], compile_table(child), child))
            return plan

        found = compile_table(tables[0])
        self._plans[namespace] = found
        return found

    def rows(self, meta: SubmissionMeta) -> list[tuple[Table, Row]]:
        """The submission's root row first, then each repeat's rows in document order
        (a row before the rows of the repeats inside it)."""
        root = parse(meta.xml)
        tag = root.tag
        namespace = tag[: tag.index("}") + 1] if tag.startswith("{") else ""
        table = self.schema.tables[0]
        values: list[str | None] = [None] * len(table.fields)
        out: list[tuple[Table, Row]] = [(table, ())]
        self._walk(root, self._plan(namespace), values, meta.instance_id, out)
        cells = [meta.submitted_at, *self._cells(table, values)]
        cells += [
            meta.instance_id,
            meta.enumerator,
            meta.district or "",
            meta.state,
            meta.form_version or "",
        ]
        out[0] = (table, tuple(cells))
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
        out: list[tuple[Table, Row]],
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
            name, below, table = nested[-1 - code]
            if table is None:
                self._walk(child, below, values, key, out)
                continue
            if seen is None:
                seen = {}
            number = seen[name] = seen.get(name, 0) + 1
            child_key = f"{key}/{name}[{number}]"
            own: list[str | None] = [None] * len(table.fields)
            at = len(out)
            out.append((table, ()))
            self._walk(child, below, own, child_key, out)
            out[at] = (table, (*self._cells(table, own), key, child_key))


def _splits(table: Table) -> list[tuple[int, Field]]:
    """The fields giving several cells, by position among the fields, last first (so
    splicing their cells in keeps the earlier positions)."""
    found = [(i, f) for i, f in enumerate(table.fields) if f.kind in ("geopoint", "select")]
    return found[::-1]

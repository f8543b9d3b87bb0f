"""A stored submission flattened into the rows of its export tables (Central's shape).

The hot path of every export. The schema is compiled once into a plan: for each
table, a dict from an element's tag to what it is (a field's position, a group to
descend into, a repeat that starts a row of another table), so a submission costs
one C-level parse and one dict lookup per element.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from xml.etree.ElementTree import Element, fromstring

from defusedxml.ElementTree import fromstring as defused_fromstring

from sync.server.exports.schema import ExportSchema, Field, Table

Row = tuple[str, ...]
FIELD, GROUP, REPEAT = 0, 1, 2


@dataclass(frozen=True)
class SubmissionMeta:
    instance_id: str
    submitted_at: str
    enumerator: str
    district: str | None
    state: str
    form_version: str | None
    xml: str


def parse(xml: str) -> Element:
    """Stored XML passed defusedxml at ingestion; a DTD would still go through it again."""
    if "<!DOCTYPE" in xml or "<!ENTITY" in xml:
        return defused_fromstring(xml, forbid_dtd=True)
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


class Step:
    """What an element is in a plan: a field at `index`, a group, or a repeat's `table`."""

    __slots__ = ("index", "kind", "plan", "table")

    def __init__(self, kind: int, index: int = 0, table: Table | None = None) -> None:
        self.kind, self.index, self.table = kind, index, table
        self.plan: Plan = {}


Plan = dict[str, Step]


class Flattener:
    """Turns submission XML into `(table, row)` pairs; one instance per form schema."""

    def __init__(self, schema: ExportSchema) -> None:
        self.schema = schema
        self._plans: dict[str, Plan] = {}

    def _plan(self, namespace: str) -> Plan:
        """The root table's plan, tags qualified with the instance's namespace (`{ns}`)."""
        found = self._plans.get(namespace)
        if found is not None:
            return found
        tables = {t.path: t for t in self.schema.tables}

        def compile_table(table: Table) -> Plan:
            plan: Plan = {}
            prefix = table.path + "/"
            for index, field in enumerate(table.fields):
                steps = field.path[len(prefix) :].split("/")
                level = plan
                for step in steps[:-1]:
                    level = level.setdefault(namespace + step, Step(GROUP)).plan
                level[namespace + steps[-1]] = Step(FIELD, index)
            for child in tables.values():
                if child.parent != table.path:
                    continue
                steps = child.path[len(prefix) :].split("/")
                level = plan
                for step in steps[:-1]:
                    level = level.setdefault(namespace + step, Step(GROUP)).plan
                repeat = level[namespace + steps[-1]] = Step(REPEAT, table=child)
                repeat.plan = compile_table(child)
            return plan

        found = compile_table(self.schema.tables[0])
        self._plans[namespace] = found
        return found

    def rows(self, meta: SubmissionMeta) -> Iterator[tuple[Table, Row]]:
        root = parse(meta.xml)
        namespace = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
        table = self.schema.tables[0]
        values: list[str | None] = [None] * len(table.fields)
        nested: list[tuple[Table, Row]] = []
        _walk(root, self._plan(namespace), values, meta.instance_id, nested)
        cells = [meta.submitted_at, *_cells(table, values)]
        cells += [
            meta.instance_id,
            meta.enumerator,
            meta.district or "",
            meta.state,
            meta.form_version or "",
        ]
        yield table, tuple(cells)
        yield from nested


def _cells(table: Table, values: list[str | None]) -> list[str]:
    if not table.split:
        return [text.strip() if text else "" for text in values]
    cells: list[str] = []
    for field, text in zip(table.fields, values, strict=True):
        if field.kind in ("plain", "select1"):
            cells.append(text.strip() if text else "")
        else:
            cells.extend(field_cells(field, text))
    return cells


def _walk(
    element: Element, plan: Plan, values: list[str | None], key: str, out: list[tuple[Table, Row]]
) -> None:
    seen: dict[str, int] = {}
    for child in element:
        step = plan.get(child.tag)
        if step is None:
            continue
        if step.kind == FIELD:
            values[step.index] = child.text
        elif step.kind == GROUP:
            _walk(child, step.plan, values, key, out)
        elif step.table is not None:
            table = step.table
            number = seen[child.tag] = seen.get(child.tag, 0) + 1
            name = child.tag.rsplit("}", 1)[-1]
            child_key = f"{key}/{name}[{number}]"
            own: list[str | None] = [None] * len(table.fields)
            below: list[tuple[Table, Row]] = []
            _walk(child, step.plan, own, child_key, below)
            out.append((table, (*_cells(table, own), key, child_key)))
            out.extend(below)

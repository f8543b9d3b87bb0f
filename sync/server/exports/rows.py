"""A stored submission flattened into the rows of its export tables (Central's shape)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from xml.etree.ElementTree import Element

from defusedxml.ElementTree import fromstring

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


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


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


class Flattener:
    """Turns submission XML into `(table path, row)` pairs; one instance per form schema."""

    def __init__(self, schema: ExportSchema) -> None:
        self.schema = schema
        self._tables = {t.path: t for t in schema.tables}
        self._fields = {t.path: {f.path: f for f in t.fields} for t in schema.tables}

    def rows(self, meta: SubmissionMeta) -> Iterator[tuple[Table, Row]]:
        root = fromstring(meta.xml, forbid_dtd=True)
        table = self.schema.tables[0]
        values: dict[str, str | None] = {}
        nested: list[tuple[Table, Row]] = []
        self._walk(root, f"/{_local(root.tag)}", table, meta.instance_id, values, nested)
        cells: list[str] = [meta.submitted_at]
        for field in table.fields:
            cells.extend(field_cells(field, values.get(field.path)))
        cells += [
            meta.instance_id,
            meta.enumerator,
            meta.district or "",
            meta.state,
            meta.form_version or "",
        ]
        yield table, tuple(cells)
        yield from nested

    def _walk(
        self,
        element: Element,
        path: str,
        table: Table,
        key: str,
        values: dict[str, str | None],
        out: list[tuple[Table, Row]],
    ) -> None:
        fields = self._fields[table.path]
        seen: dict[str, int] = {}
        for child in element:
            name = _local(child.tag)
            child_path = f"{path}/{name}"
            repeat = self._tables.get(child_path)
            if repeat is not None and not repeat.is_root:
                seen[name] = seen.get(name, 0) + 1
                child_key = f"{key}/{name}[{seen[name]}]"
                own: dict[str, str | None] = {}
                below: list[tuple[Table, Row]] = []
                self._walk(child, child_path, repeat, child_key, own, below)
                cells: list[str] = []
                for field in repeat.fields:
                    cells.extend(field_cells(field, own.get(field.path)))
                out.append((repeat, (*cells, key, child_key)))
                out.extend(below)
            elif child_path in fields:
                values[child_path] = child.text
            elif len(child):
                self._walk(child, child_path, table, key, values, out)

"""Stand-in rows for attachments missing next to a form (CSV, XML, GeoJSON).

A missing `cities.csv` would leave its selects without choices and its `pulldata()`
empty, so the test-drive could not walk past them. The stand-in has every column the
form reads from the file (value and label columns, `choice_filter` columns, `pulldata`
columns), and rows for every value a filter column is compared with: `stand_in` (what
a select of another stand-in answers), the filter's literals, and the choices of the
selects the filter reads. So a cascade `state = ${st}` has a row whatever `st` is.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from forms.definition import Expression, FormDefinition, SecondaryInstance
from forms.session_graph import resolve_read
from forms.testdrive_filters import field_values
from forms.xpath import ast, references
from forms.xpath.values import format_number

VALUE = "stand_in"
LABEL = "Stand-in"
MAX_ROWS = 64
PULLDATA = re.compile(r"pulldata\(\s*'([^']*)'\s*,\s*'([^']*)'\s*,\s*'([^']*)'")


@dataclass
class StandIn:
    """The stand-in for one missing file: its columns, rows and the fields that use it."""

    secondary: SecondaryInstance
    columns: dict[str, None] = field(default_factory=lambda: {"name": None, "label": None})
    compared: dict[str, dict[str, None]] = field(default_factory=dict)
    users: dict[str, None] = field(default_factory=dict)

    def rows(self) -> list[dict[str, str]]:
        filters = list(self.compared)
        plain = {c: LABEL if c == "label" else VALUE for c in self.columns if c not in filters}
        values = [[VALUE, *self.compared[c]] for c in filters]
        combos = itertools.islice(itertools.product(*values), MAX_ROWS)
        return [{**plain, **dict(zip(filters, combo, strict=True))} for combo in combos]

    def content(self) -> bytes:
        rows, kind = self.rows(), self.secondary.kind
        if kind == "csv":
            out = io.StringIO()
            writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
            return out.getvalue().encode()
        if kind == "geojson":
            features = [
                {"type": "Feature", "geometry": {"type": "Point", "coordinates": [0, 0]}}
                | {"properties": {"id": VALUE, "title": LABEL, **row}}
                for row in rows
            ]
            return json.dumps({"type": "FeatureCollection", "features": features}).encode()
        items = "".join(
            "<item>" + "".join(f"<{k}>{escape(v)}</{k}>" for k, v in row.items()) + "</item>"
            for row in rows
        )
        return f"<root>{items}</root>".encode()


def stand_ins(definition: FormDefinition, missing: set[str]) -> dict[str, StandIn]:
    """A stand-in for each secondary instance whose file (name in `missing`) is absent."""
    found = {
        s.id: StandIn(s)
        for s in definition.secondary_instances
        if s.filename in missing and s.kind in ("csv", "xml", "geojson")
    }
    for control in definition.controls():
        itemset = control.itemset
        if itemset is None or control.ref is None or itemset.instance_id not in found:
            continue
        stand_in = found[itemset.instance_id]
        stand_in.users[control.ref] = None
        for column in (itemset.value, itemset.label.ref if itemset.label else None):
            if column is not None and _is_column(column.text):
                stand_in.columns[column.text.strip()] = None
        _filter_columns(definition, stand_in, itemset.nodeset, control.ref)
    for bind in definition.binds:
        for expression in (bind.calculate, bind.relevant, bind.constraint):
            if expression is not None:
                _expression_columns(found, expression, bind.nodeset)
    return found


def _is_column(text: str) -> bool:
    return re.fullmatch(r"[A-Za-z_][\w.-]*", text.strip()) is not None


def _filter_columns(
    definition: FormDefinition, stand_in: StandIn, nodeset: Expression, ref: str
) -> None:
    items = f"instance('{stand_in.secondary.id}')/root/item/"
    columns, reads = [], []
    for reference in sorted(references(nodeset.ast)):
        if reference.startswith(items):
            columns.append(reference[len(items) :].split("/", 1)[0])
        elif not reference.startswith("instance("):
            read = resolve_read(reference, ref)
            if read is not None:
                reads.append(read.path)
    values = _literals(nodeset.ast)
    for path in reads:
        values += field_values(definition, path) or []
    for column in columns:
        stand_in.columns[column] = None
        compared = stand_in.compared.setdefault(column, {})
        compared.update(dict.fromkeys(v for v in values if v != VALUE))


def _literals(expr: ast.Expr) -> list[str]:
    if isinstance(expr, ast.String):
        return [expr.value]
    if isinstance(expr, ast.Number):
        return [format_number(expr.value)]
    children: list[ast.Expr] = []
    if isinstance(expr, ast.Binary):
        children = [expr.left, expr.right]
    elif isinstance(expr, ast.Call) and expr.name != "instance":
        children = list(expr.args)
    elif isinstance(expr, ast.Negate):
        children = [expr.operand]
    elif isinstance(expr, ast.Filter | ast.Path):
        children = [p for step in expr.steps for p in step.predicates]
        if isinstance(expr, ast.Filter):
            children += [expr.primary, *expr.predicates]
    return [value for child in children for value in _literals(child)]


def _expression_columns(found: dict[str, StandIn], expression: Expression, path: str) -> None:
    """Columns read by `pulldata('id', 'col', 'key', ...)` and `instance('id')/root/item/col`."""
    for instance_id, wanted, key in PULLDATA.findall(expression.text):
        if instance_id in found:
            found[instance_id].columns.update({wanted: None, key: None})
            found[instance_id].users[path] = None
    for instance_id, stand_in in found.items():
        items = f"instance('{instance_id}')/root/item/"
        for reference in references(expression.ast):
            if reference.startswith(items):
                stand_in.columns[reference[len(items) :].split("/", 1)[0]] = None
                stand_in.users[path] = None

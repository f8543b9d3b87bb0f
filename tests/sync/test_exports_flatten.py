"""The export flattener against a plain reference walk written here, on the small survey's
submissions, on filled living-income households and on awkward XML, from the XML and from
the parts ingestion stores; a DTD is refused."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from pathlib import Path
from xml.etree.ElementTree import Element, fromstring

import pytest
from export_support import FORM_MD, household_xml, households

from forms.definition import FormDefinition, TemplateNode
from forms.xform_reader import read_xform
from forms.xlsform import compile_xlsform
from sync.server.exports.rows import Flattener, RefusedXml, SubmissionMeta
from sync.server.exports.schema import ExportSchema, Table, build_schema, choices_of

LIVING_INCOME = Path(__file__).resolve().parents[2] / "assets/forms/living_income_household.xml"


def reference_rows(schema: ExportSchema, meta: SubmissionMeta) -> list[tuple[str, tuple[str, ...]]]:
    """Central's shape the slow, obvious way: every element of the root's namespace
    matched by its path (elements of other namespaces are not the form's)."""
    root = fromstring(meta.xml)
    namespace = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    tables = {t.path: t for t in schema.tables}
    found: list[tuple[str, tuple[str, ...]]] = []

    def cells(table: Table, texts: dict[str, str]) -> list[str]:
        out: list[str] = []
        for field in table.fields:
            value = texts.get(field.path, "").strip()
            if field.kind == "geopoint":
                parts = value.split()
                out += [parts[i] if i < len(parts) else "" for i in range(4)]
            elif field.kind == "select":
                picked = set(value.split())
                flags = [
                    "" if not value else "1" if c.value in picked else "0" for c in field.choices
                ]
                out += [value, *flags]
            else:
                out.append(value)
        return out

    def collect(element: Element, path: str, table: Table, texts: dict[str, str], key: str) -> None:
        counts: dict[str, int] = {}
        for child in element:
            if not child.tag.startswith(namespace) or "}" in child.tag[len(namespace) :]:
                continue
            name = child.tag[len(namespace) :]
            child_path = f"{path}/{name}"
            if child_path in tables and tables[child_path].parent == table.path:
                counts[name] = counts.get(name, 0) + 1
                child_key = f"{key}/{name}[{counts[name]}]"
                own: dict[str, str] = {}
                at = len(found)
                found.append(("", ()))
                collect(child, child_path, tables[child_path], own, child_key)
                row = (*cells(tables[child_path], own), key, child_key)
                found[at] = (child_path, row)
            elif any(f.path == child_path for f in table.fields):
                texts[child_path] = child.text or ""
            else:
                collect(child, child_path, table, texts, key)

    root_table = schema.tables[0]
    texts: dict[str, str] = {}
    found.append(("", ()))
    collect(root, root_table.path, root_table, texts, meta.instance_id)
    extra = [meta.instance_id, meta.enumerator, meta.district or "", meta.state]
    found[0] = (root_table.path, (meta.submitted_at, *cells(root_table, texts), *extra, meta.form_version or ""))  # fmt: skip
    return found


def meta(xml: str, instance_id: str = "uuid:1") -> SubmissionMeta:
    return SubmissionMeta(instance_id, "2026-01-05T10:00:00Z", "ana", "north", "received", "3", xml)


def flattened(flattener: Flattener, item: SubmissionMeta) -> list[tuple[str, tuple[str, ...]]]:
    """The rows from the XML; the rows from the parts ingestion stores must be the same."""
    found = [(table.path, row) for table, row in flattener.rows(item)]
    stored = json.dumps(flattener.parts(fromstring(item.xml)))
    again = flattener.rows(replace(item, xml="", stored=stored))
    assert [(table.path, row) for table, row in again] == found
    return found


@pytest.fixture(scope="module")
def small() -> ExportSchema:
    compiled = compile_xlsform(FORM_MD.encode("utf-8"), filename="survey_small.md")
    return build_schema(read_xform(compiled.xform, source_name="survey_small"))


def test_small_survey_rows_equal_the_reference(small: ExportSchema) -> None:
    flattener = Flattener(small)
    items = households(12)
    assert any(len(h.members) > 1 for h in items)
    for h in items:
        item = meta(household_xml(h), h.instance_id)
        assert flattened(flattener, item) == reference_rows(small, item)


AWKWARD = (
    '<data xmlns="http://example.org/ns" xmlns:orx="http://openrosa.org/xforms" id="survey_small">'
    "<id><household_id>  H&amp;1 <!-- note --> &#233;\n</household_id><unknown><gps>9 9</gps></unknown>"
    "<gps>1.5 2.5</gps></id><head_sex><![CDATA[fe]]>male<x>ignored</x>tail</head_sex>"
    "<member><name>A</name><activities> trade  farm </activities><job><pay>1</pay></job>"
    "<job><pay>2</pay></job></member><other/><member><name>B</name><activities/></member>"
    "<income></income><orx:meta><orx:instanceID>uuid:x</orx:instanceID></orx:meta></data>"
)


def test_entities_comments_cdata_namespaces_and_unknown_elements(small: ExportSchema) -> None:
    item = meta(AWKWARD)
    rows = flattened(Flattener(small), item)
    assert rows == reference_rows(small, item)
    root = rows[0][1]
    assert root[1] == "H&1  é" and root[2:6] == ("1.5", "2.5", "", "") and root[6] == "female"
    assert [r[1][-1] for r in rows[1:]] == [
        "uuid:1/member[1]", "uuid:1/member[1]/job[1]", "uuid:1/member[1]/job[2]", "uuid:1/member[2]"
    ]  # fmt: skip


def fill(definition: FormDefinition, node: TemplateNode, rng: random.Random) -> str:
    """A household with every leaf of the living income form filled and repeats 1–3 times."""
    parts: list[str] = []
    seen: set[str] = set()
    for child in node.children:
        if child.path in seen:
            continue
        seen.add(child.path)
        if child.path in definition.repeat_paths:
            parts += [fill(definition, child, rng) for _ in range(rng.randint(1, 3))]
        elif child.children:
            parts.append(fill(definition, child, rng))
        else:
            control = definition.control_for(child.path)
            choices = choices_of(definition, control, None) if control is not None else ()
            if choices:
                value = " ".join(rng.sample([c.value for c in choices], min(2, len(choices))))
            elif child.datatype == "geopoint":
                value = f"{rng.uniform(-9, 9):.5f} {rng.uniform(-9, 9):.5f} 10 5"
            else:
                value = rng.choice(["", " 12 ", "a &lt; b", f"{rng.random():.3f}"])
            parts.append(f"<{child.name}>{value}</{child.name}>")
    return f"<{node.name}>{''.join(parts)}</{node.name}>"


def test_living_income_households_equal_the_reference() -> None:
    definition = read_xform(LIVING_INCOME.read_text(encoding="utf-8"), source_name="li")
    schema = build_schema(definition)
    assert len(schema.tables) >= 6
    flattener = Flattener(schema)
    rng = random.Random(5)
    for n in range(6):
        item = meta(fill(definition, definition.instance, rng), f"uuid:li-{n}")
        rows = flattened(flattener, item)
        assert len(rows) > 10 and rows == reference_rows(schema, item)


@pytest.mark.parametrize(
    "xml",
    [
        '<!DOCTYPE d [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><data id="survey_small">&b;</data>',
        '<?xml version="1.0"?><!DOCTYPE data SYSTEM "file:///etc/passwd"><data/>',
    ],
)
def test_a_dtd_is_refused_and_nothing_expanded(small: ExportSchema, xml: str) -> None:
    with pytest.raises(RefusedXml, match="DTD"):
        Flattener(small).rows(meta(xml))


def test_a_refusal_survives_the_trip_back_from_a_worker_process(small: ExportSchema) -> None:
    import pickle

    from sync.server.errors import BadRequest

    with pytest.raises(RefusedXml) as caught:
        Flattener(small).rows(meta('<!DOCTYPE data><data id="survey_small"/>'))
    back = pickle.loads(pickle.dumps(caught.value))
    assert isinstance(back, BadRequest) and "DTD" in back.message

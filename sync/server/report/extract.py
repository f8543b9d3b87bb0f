"""Reading a household's figures without building the XML tree, when the form allows it.

A report over 100,000 households cannot afford a full parse of each (about 13 kB and
480 elements): the figures are some 30 leaves. When every mapped path ends in an element
name that occurs nowhere else in the form's instance, one regular expression over the
stored XML finds them all, in document order. Otherwise (or without the form) the
tree is parsed. Stored XML passed defusedxml at ingestion and is well-formed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from xml.sax.saxutils import unescape

from forms.definition import FormDefinition
from sync.server.report.household import (
    FieldMapping,
    HouseholdIncome,
    Texts,
    household_from_texts,
    household_from_xml,
)

Reader = Callable[[str, str, str | None], HouseholdIncome]
"""(xml, instance_id, district) to a household record."""


def mapped_paths(mapping: FieldMapping) -> list[str]:
    paths = [
        mapping.household_id, mapping.head_sex, mapping.crop, mapping.farm_ha,
        mapping.member_ages, mapping.benchmark_value, mapping.benchmark_units,
        mapping.own_consumption, mapping.women_income,
        *mapping.components.values(), *mapping.adequacy.values(),
    ]  # fmt: skip
    optional = [mapping.region, mapping.benchmark, mapping.weight, mapping.income_positive]
    return paths + [*mapping.men_adequacy.values()] + [p for p in optional if p]


def names_are_unique(definition: FormDefinition, paths: list[str]) -> bool:
    """Whether each path's last element name sits at that path only, as a leaf."""
    root = definition.instance.path
    wanted = {p.rsplit("/", 1)[-1]: f"{root}/{p}" for p in paths}
    if len(wanted) != len(set(paths)):
        return False
    seen: dict[str, set[str]] = {}
    for node in definition.instance.iter():
        if node.name in wanted:
            seen.setdefault(node.name, set()).add(node.path)
            if node.children:
                return False
    return all(seen.get(name) == {path} for name, path in wanted.items())


def tag_texts(paths: list[str]) -> Callable[[str], Texts]:
    """For paths whose last names are unique in the form (`names_are_unique`): the texts at
    each path of an XML document, found by one regular expression, with no tree."""
    by_path = {p: p.rsplit("/", 1)[-1] for p in paths}
    names = "|".join(re.escape(n) for n in sorted(set(by_path.values())))
    pattern = re.compile(f"<({names})(?:\\s[^>]*)?>([^<]*)</\\1>")

    def texts(xml: str) -> Texts:
        found: dict[str, list[str]] = {}
        for name, text in pattern.findall(xml):
            found.setdefault(name, []).append(unescape(text).strip() if "&" in text else text)
        return lambda path: found.get(by_path[path], [])

    return texts


def tag_reader(mapping: FieldMapping) -> Reader:
    texts = tag_texts(mapped_paths(mapping))

    def read(xml: str, instance_id: str, district: str | None) -> HouseholdIncome:
        return household_from_texts(texts(xml), mapping, instance_id=instance_id, district=district)

    return read


def reader_for(mapping: FieldMapping, definition: FormDefinition | None) -> Reader:
    if definition is not None and names_are_unique(definition, mapped_paths(mapping)):
        return tag_reader(mapping)

    def parse(xml: str, instance_id: str, district: str | None) -> HouseholdIncome:
        return household_from_xml(xml, mapping, instance_id=instance_id, district=district)

    return parse

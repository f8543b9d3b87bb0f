"""Field-level differences between two versions of a submission (instances linked by deprecatedID)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from xml.etree.ElementTree import Element

from defusedxml.ElementTree import fromstring
from pydantic import BaseModel

SKIPPED = ("instanceID", "deprecatedID")


class Change(BaseModel):
    ref: str
    before: str | None
    after: str | None
    shown_before: str | None = None
    shown_after: str | None = None
    """`before` and `after` as a reader sees them (a choice by its label)."""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def flatten(xml: str) -> dict[str, str]:
    """Leaf values by ref; an element repeated under one parent gets `[n]` on every copy."""
    root = fromstring(xml, forbid_dtd=True)
    values: dict[str, str] = {}

    def walk(element: Element, path: str) -> None:
        names = Counter(_local(child.tag) for child in element)
        seen: Counter[str] = Counter()
        for child in element:
            name = _local(child.tag)
            seen[name] += 1
            step = f"{name}[{seen[name]}]" if names[name] > 1 else name
            if len(child):
                walk(child, f"{path}/{step}")
            elif name not in SKIPPED:
                values[f"{path}/{step}"] = (child.text or "").strip()

    walk(root, "/" + _local(root.tag))
    return values


def diff(
    before_xml: str, after_xml: str, said: Callable[[str, str], str] | None = None
) -> list[Change]:
    """The fields that differ; `said(ref, value)` reads a value as shown (`Wording.said`)."""
    before, after = flatten(before_xml), flatten(after_xml)
    changes = []
    for ref in sorted(before.keys() | after.keys()):
        old, new = before.get(ref), after.get(ref)
        if old != new:
            change = Change(ref=ref, before=old, after=new)
            if said is not None:
                change.shown_before = None if old is None else said(ref, old)
                change.shown_after = None if new is None else said(ref, new)
            changes.append(change)
    return changes

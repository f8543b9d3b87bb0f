"""Finding nodes of a live instance by path, and naming them back.

A *ref* is an absolute path with positions for repeat instances
(`/data/member[2]/age`); positions may be left out where there is only one node.
A *pattern* is the position-free path the definition uses (`/data/member/age`).
"""

from __future__ import annotations

import re
from collections.abc import Collection

from forms.xpath.tree import DOCUMENT, Node

_STEP = re.compile(r"(@?[^\[\]/]+)(?:\[(\d+)\])?\Z")


def pattern_of(ref: str) -> str:
    return re.sub(r"\[\d+\]", "", ref)


def ref_of(node: Node, repeats: Collection[str]) -> str:
    """`/data/member[2]/age`: positions on repeat instances only."""
    steps: list[str] = []
    walk: Node | None = node
    while walk is not None and walk.name != DOCUMENT:
        step = ("@" if walk.is_attribute else "") + walk.name
        if walk.path() in repeats:
            step += f"[{walk.position()}]"
        steps.append(step)
        walk = walk.parent
    return "/" + "/".join(reversed(steps))


def find(document: Node, ref: str) -> Node | None:
    """The node at `ref`; None when it does not exist or a position-less step is ambiguous."""
    node = document
    for step in ref.strip().strip("/").split("/"):
        match = _STEP.match(step)
        if match is None:
            return None
        name, position = match[1], match[2]
        same = [c for c in node.children if c.name == name]
        if position is not None:
            index = int(position)
            if not 1 <= index <= len(same):
                return None
            node = same[index - 1]
        elif len(same) == 1:
            node = same[0]
        else:
            return None
    return node if node is not document else None


def nodes_at(start: Node, pattern: str) -> list[Node]:
    """Every node under `start` (a document node or any node on the way) at `pattern`."""
    base = start.path() if start.name != DOCUMENT else ""
    if pattern == base:
        return [start]
    if not pattern.startswith(base + "/"):
        return []
    level = [start]
    for name in pattern[len(base) + 1 :].split("/"):
        level = [c for n in level for c in n.children if c.name == name]
    return level


def ancestor_at(node: Node, pattern: str) -> Node | None:
    walk: Node | None = node
    while walk is not None and walk.name != DOCUMENT:
        if walk.path() == pattern:
            return walk
        walk = walk.parent
    return None


def deepest_repeat(pattern: str, repeats: Collection[str]) -> str | None:
    """The deepest repeat path that is `pattern` or one of its ancestors."""
    best: str | None = None
    for repeat in repeats:
        if (pattern == repeat or pattern.startswith(repeat + "/")) and (
            best is None or len(repeat) > len(best)
        ):
            best = repeat
    return best


def insert_index(parent: Node, name: str, order: list[str]) -> int:
    """Where a new `name` child goes: after its last sibling of that name, else in
    the template's order (`order`: the child names as the form declares them)."""
    last = -1
    for i, child in enumerate(parent.children):
        if child.name == name:
            last = i
    if last >= 0:
        return last + 1
    rank = order.index(name) if name in order else len(order)
    for i, child in enumerate(parent.children):
        if child.name in order and order.index(child.name) > rank:
            return i
    return len(parent.children)

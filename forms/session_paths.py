"""Finding nodes of a live instance by position-free path.

A *ref* is an absolute path with positions for repeat instances
(`/data/member[2]/age`); positions may be left out where there is only one node
(`forms.session_index` names nodes and finds them by ref).
A *pattern* is the position-free path the definition uses (`/data/member/age`).
"""

from __future__ import annotations

import re
from collections.abc import Collection

from forms.xpath.tree import DOCUMENT, Node


def pattern_of(ref: str) -> str:
    return re.sub(r"\[\d+\]", "", ref)


def nodes_at(start: Node, pattern: str) -> list[Node]:
    """Every node under `start` (a document node or any node on the way) at `pattern`."""
    base = start.path() if start.name != DOCUMENT else ""
    if pattern == base:
        return [start]
    if not pattern.startswith(base + "/"):
        return []
    rest = pattern[len(base) + 1 :]
    if "/" not in rest:  # a child: the common case
        return [c for c in start.children if c.name == rest]
    level = [start]
    for name in rest.split("/"):
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
    children = parent.children
    for i in range(len(children) - 1, -1, -1):  # from the end: new instances go last
        if children[i].name == name:
            return i + 1
    rank = order.index(name) if name in order else len(order)
    for i, child in enumerate(parent.children):
        if child.name in order and order.index(child.name) > rank:
            return i
    return len(parent.children)

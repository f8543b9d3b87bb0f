"""Refs of a live instance without walking it: children by name and repeat positions.

`ref(node)` (`/data/member[2]/age`) and `find(ref)` climb or descend one step per level;
each step reads a per-parent table (children by name here, positions in `Node`), built
the first time that parent is asked about and dropped when a repeat instance is added
below it or removed (`forget`). So naming a node costs its depth, not its repeat's size.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from forms.xpath.tree import DOCUMENT, Node

_STEP = re.compile(r"(@?[^\[\]/]+)(?:\[(\d+)\])?\Z")


class NodeIndex:
    def __init__(self, document: Node, repeats: Collection[str]) -> None:
        self.document = document
        self.repeats = repeats
        self._repeat_names = {path.rsplit("/", 1)[1] for path in repeats}
        self._kids: dict[Node, dict[str, list[Node]]] = {}

    def _named(self, parent: Node) -> dict[str, list[Node]]:
        table = self._kids.get(parent)
        if table is None:
            table = self._kids[parent] = {}
            for child in parent.children:
                table.setdefault(child.name, []).append(child)
        return table

    def inserted(self, parent: Node, child: Node, last: bool) -> None:
        """`child` was inserted below `parent` (`last`: after every sibling of its name)."""
        table = self._kids.get(parent)
        if table is not None and last:
            table.setdefault(child.name, []).append(child)
        elif table is not None:
            self.forget(parent)

    def forget(self, parent: Node) -> None:
        """`parent`'s children changed (a repeat instance removed)."""
        self._kids.pop(parent, None)
        parent.children_changed()

    def forget_subtree(self, top: Node) -> None:
        for node in top.iter():
            self._kids.pop(node, None)

    def is_repeat_instance(self, node: Node) -> bool:
        return node.name in self._repeat_names and node.path() in self.repeats

    def ref(self, node: Node) -> str:
        """`/data/member[2]/age`: positions on repeat instances only."""
        steps: list[str] = []
        walk: Node | None = node
        while walk is not None and walk.name != DOCUMENT:
            if walk.is_attribute:
                steps.append("@" + walk.name)
            elif self.is_repeat_instance(walk):
                steps.append(f"{walk.name}[{walk.position()}]")
            else:
                steps.append(walk.name)
            walk = walk.parent
        return "/" + "/".join(reversed(steps))

    def find(self, ref: str) -> Node | None:
        """The node at `ref`; None when it does not exist or a position-less step is
        ambiguous (as `forms.session_paths.find`)."""
        node = self.document
        for step in ref.strip().strip("/").split("/"):
            match = _STEP.match(step)
            if match is None:
                return None
            same = self._named(node).get(match[1], ())
            if match[2] is not None:
                index = int(match[2])
                if not 1 <= index <= len(same):
                    return None
                node = same[index - 1]
            elif len(same) == 1:
                node = same[0]
            else:
                return None
        return node if node is not self.document else None

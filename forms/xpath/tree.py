"""The node model every XPath expression runs over.

One `Node` class serves the primary instance a `FormSession` keeps, the
secondary instances (choice lists, CSV and XML attachments) and documents built
from XML text for `forms.xpath.evaluate`. Names are local names (namespaces are
dropped, as ODK does for instance data). The session keeps `relevant` equal to
the node's *effective* relevance (its own and its ancestors'); the evaluator only
reads it: a non-relevant node reads as empty. Whoever inserts or removes children of a
node already read calls `children_changed` on it.
"""

from __future__ import annotations

from collections.abc import Iterator
from xml.etree.ElementTree import Element

from defusedxml import ElementTree as SafeET

DOCUMENT = "#document"
"""Name of the document node above an instance's root element (what `/` selects)."""


def local_name(tag: str) -> str:
    """`{ns}name` or `prefix:name` to `name`."""
    if tag[:1] == "{":
        return tag[tag.index("}") + 1 :]
    return tag.rpartition(":")[2]


class Node:
    """An element of an instance document (or, with `is_attribute`, one of its attributes)."""

    __slots__ = (
        "name",
        "parent",
        "children",
        "attrs",
        "text",
        "datatype",
        "relevant",
        "is_attribute",
        "_positions",
        "_path",
        "__weakref__",
    )

    def __init__(
        self,
        name: str,
        text: str = "",
        parent: Node | None = None,
        attrs: dict[str, str] | None = None,
        datatype: str | None = None,
    ) -> None:
        self.name = name
        self.parent = parent
        self.children: list[Node] = []
        self.attrs: dict[str, str] = attrs if attrs is not None else {}
        self.text = text
        self.datatype = datatype
        self.relevant = True
        self.is_attribute = False
        self._positions: dict[Node, int] | None = None
        self._path: str | None = None

    def __repr__(self) -> str:
        return f"<Node {self.path()} {self.text!r}>"

    def append(self, child: Node) -> Node:
        child.parent = self
        self.children.append(child)
        self._positions = None
        _forget_paths(child)
        return child

    def child(self, name: str) -> Node | None:
        for c in self.children:
            if c.name == name:
                return c
        return None

    def iter(self) -> Iterator[Node]:
        """This node and its descendant elements, in document order."""
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    def root(self) -> Node:
        node = self
        while node.parent is not None:
            node = node.parent
        return node

    def path(self) -> str:
        """Absolute path without positions, e.g. `/data/household/name` (kept once asked:
        a node moves only when `append` or `insert` puts it below another)."""
        found = self._path
        if found is None:
            if self.name == DOCUMENT:
                return "/"
            parent = self.parent
            base = parent.path() if parent is not None and parent.name != DOCUMENT else ""
            found = self._path = f"{base}/{'@' if self.is_attribute else ''}{self.name}"
        return found

    def attribute(self, name: str) -> Node | None:
        """The attribute as a node of its own (so it can sit in a node-set)."""
        value = self.attrs.get(name)
        if value is None:
            return None
        attr = Node(name, value, self)
        attr.is_attribute = True
        attr.relevant = self.relevant
        return attr

    def string_value(self) -> str:
        """XPath string-value; a non-relevant node reads as empty."""
        if not self.relevant:
            return ""
        if not self.children:
            return self.text
        return "".join(n.text for n in self.iter() if not n.children and n.relevant)

    def position(self) -> int:
        """1-based position among same-named siblings (a table the parent keeps until
        `children_changed`)."""
        parent = self.parent
        if parent is None or self.is_attribute:
            return 1
        table = parent._positions
        if table is None or self not in table:
            counts: dict[str, int] = {}
            table = parent._positions = {}
            for sibling in parent.children:
                table[sibling] = counts[sibling.name] = counts.get(sibling.name, 0) + 1
        return table.get(self, 1)

    def children_changed(self) -> None:
        """Say that `children` was changed in place (an element inserted or removed)."""
        self._positions = None

    def insert(self, index: int, child: Node) -> bool:
        """Insert `child` at `index`; True when it went after every sibling of its name
        (a new repeat instance), whose positions then stay as they were."""
        children, name = self.children, child.name
        children.insert(index, child)
        child.parent = self
        _forget_paths(child)
        if any(children[i].name == name for i in range(index + 1, len(children))):
            self._positions = None
            return False
        table = self._positions
        if table is not None:
            before = next(
                (children[i] for i in range(index - 1, -1, -1) if children[i].name == name), None
            )
            if before is None or before in table:
                table[child] = table[before] + 1 if before is not None else 1
            else:
                self._positions = None
        return True


def _forget_paths(top: Node) -> None:
    """Drop the paths kept below `top` (none is kept below a node that keeps none, as
    `path` keeps its ancestors' paths on the way)."""
    if top._path is None:
        return
    for node in top.iter():
        node._path = None


def from_element(element: Element, parent: Node | None = None) -> Node:
    """Build a node tree from an ElementTree element (attributes by local name)."""
    node = Node(
        local_name(element.tag),
        (element.text or "").strip() if len(element) else (element.text or ""),
        parent,
        {local_name(k): v for k, v in element.attrib.items()},
    )
    for sub in element:
        if isinstance(sub.tag, str):
            node.children.append(from_element(sub, node))
    return node


def document(root: Node) -> Node:
    """Put a document node above `root`, so that `/name` selects it."""
    doc = Node(DOCUMENT)
    doc.append(root)
    return doc


def parse_document(xml: str | bytes) -> Node:
    """Parse instance XML (entities refused) into a tree; returns its document node."""
    return document(from_element(SafeET.fromstring(xml)))

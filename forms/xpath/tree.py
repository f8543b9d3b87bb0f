"""The node model every XPath expression runs over.

One `Node` class serves the primary instance a `FormSession` keeps, the
secondary instances (choice lists, CSV and XML attachments) and documents built
from XML text for `forms.xpath.evaluate`. Names are local names (namespaces are
dropped, as ODK does for instance data). The session keeps `relevant` equal to
the node's *effective* relevance (its own and its ancestors'); the evaluator only
reads it: a non-relevant node reads as empty.
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

    def __repr__(self) -> str:
        return f"<Node {self.path()} {self.text!r}>"

    def append(self, child: Node) -> Node:
        child.parent = self
        self.children.append(child)
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
        """Absolute path without positions, e.g. `/data/household/name`."""
        names: list[str] = []
        node: Node | None = self
        while node is not None and node.name != DOCUMENT:
            names.append(("@" if node.is_attribute else "") + node.name)
            node = node.parent
        return "/" + "/".join(reversed(names))

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
        """1-based position among same-named siblings."""
        if self.parent is None or self.is_attribute:
            return 1
        pos = 0
        for sibling in self.parent.children:
            if sibling.name == self.name:
                pos += 1
            if sibling is self:
                return pos
        return pos


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

"""OpenRosa instance XML: what a session saves and submits, and reading it back.

Written as ODK Collect writes it: the primary instance's root with its `id` and
`version`, the `jr` and `orx` namespaces declared, no indentation, non-relevant
nodes and repeat templates left out. Reading checks that the XML belongs to the
form (root name, id, version, known elements) before anything is built, so a
mismatching file changes nothing.
"""

from __future__ import annotations

from collections.abc import Collection
from xml.etree.ElementTree import Element
from xml.sax.saxutils import escape, quoteattr

from defusedxml import ElementTree as SafeET

from forms.definition import FormDefinition, TemplateNode
from forms.errors import FormError, Place, Problem
from forms.session_paths import insert_index
from forms.xpath.tree import Node, document, local_name

NAMESPACES = (
    ("xmlns:jr", "http://openrosa.org/javarosa"),
    ("xmlns:orx", "http://openrosa.org/xforms"),
)
META_EXTRAS = frozenset({"deprecatedID", "instanceName", "instanceID"})
"""`meta` children an instance may hold although the form does not declare them."""


def write_instance(definition: FormDefinition, doc: Node) -> str:
    root = doc.children[0]
    attrs = [*NAMESPACES]
    attrs.append(("id", root.attrs.get("id", definition.form_id)))
    version = root.attrs.get("version", definition.version)
    if version is not None:
        attrs.append(("version", version))
    attrs.extend((k, v) for k, v in root.attrs.items() if k not in ("id", "version"))
    out: list[str] = ['<?xml version="1.0" encoding="UTF-8"?>']
    _write(root, out, attrs)
    return "".join(out)


def _write(node: Node, out: list[str], attrs: Collection[tuple[str, str]] | None = None) -> None:
    pairs = attrs if attrs is not None else node.attrs.items()
    head = node.name
    if pairs:
        head += "".join(f" {k}={quoteattr(v)}" for k, v in pairs if k != "template")
    kept = [c for c in node.children if c.relevant]
    if kept:
        out.append(f"<{head}>")
        for child in kept:
            _write(child, out)
        out.append(f"</{node.name}>")
    elif node.children or not node.text:
        out.append(f"<{head}/>")
    else:
        out.append(f"<{head}>{escape(node.text)}</{node.name}>")


def read_instance(definition: FormDefinition, xml: str | bytes) -> Node:
    """A primary instance tree filled from saved XML (repeats and values), unevaluated."""
    try:
        element = SafeET.fromstring(xml)
    except Exception as error:  # ParseError or a defusedxml refusal
        raise FormError.of(
            "session.instance_bad_xml", detail=str(error) or type(error).__name__
        ) from None
    name = local_name(element.tag)
    found_id = element.get("id", "")
    if name != definition.root_name or found_id != definition.form_id:
        raise FormError.of(
            "session.instance_wrong_form",
            found=found_id or name,
            expected=definition.form_id or definition.root_name,
        )
    found_version = element.get("version")
    if (found_version or None) != (definition.version or None):
        raise FormError.of(
            "session.instance_wrong_version",
            found=found_version or "",
            expected=definition.version or "",
        )
    repeats = definition.repeat_paths
    doc = document(_without_repeats(definition.instance, None, repeats))
    orders = {t.path: [c.name for c in t.children] for t in definition.instance.iter()}
    problems: list[Problem] = []
    _fill(definition, repeats, doc.children[0], element, orders, problems)
    if problems:
        raise FormError(problems)
    return doc


def _without_repeats(template: TemplateNode, parent: Node | None, repeats: frozenset[str]) -> Node:
    """The form's instance with no repeat instance at all: as in JavaRosa, a saved
    instance has exactly the repeat instances its XML holds (none when the element is
    missing); only a brand-new instance starts with the form's initial instances."""
    node = Node(template.name, template.text, parent, dict(template.attributes), template.datatype)
    node.children = [
        _without_repeats(c, node, repeats)
        for c in template.children
        if not c.is_template and c.path not in repeats
    ]
    return node


def _fill(
    definition: FormDefinition,
    repeats: frozenset[str],
    node: Node,
    element: Element,
    orders: dict[str, list[str]],
    problems: list[Problem],
) -> None:
    if element.attrib:
        node.attrs.update({local_name(k): v for k, v in element.attrib.items()})
    subs = [e for e in element if isinstance(e.tag, str)]
    if not subs:
        if not node.children:
            node.text = element.text or ""
        return
    base = node.path()
    used: dict[str, int] = {}
    previous: str | None = None
    for sub in subs:
        name = local_name(sub.tag)
        path = f"{base}/{name}"
        if path in repeats:
            child = definition.new_repeat_instance(path)
            node.insert(insert_index(node, name, orders.get(base, [])), child)
        else:
            same = [c for c in node.children if c.name == name]
            index = used.get(name, 0)
            if index < len(same):
                child = same[index]
            elif node.name == "meta" and name in META_EXTRAS and index == 0:
                child = add_child(node, name, after=previous)
            else:
                problems.append(
                    Problem("session.instance_unknown_element", {"path": path}, Place(field=path))
                )
                continue
            used[name] = index + 1
        if len(sub) or sub.attrib:
            _fill(definition, repeats, child, sub, orders, problems)
        elif not child.children:  # a value: what `_fill` does, without the call
            child.text = sub.text or ""
        previous = name


def add_child(parent: Node, name: str, after: str | None = None) -> Node:
    """A new empty child element, placed right after the child `after` (else last)."""
    child = Node(name, parent=parent)
    index = len(parent.children)
    for i, existing in enumerate(parent.children):
        if existing.name == after:
            index = i + 1
    parent.children.insert(index, child)
    parent.children_changed()
    return child

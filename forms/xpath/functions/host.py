"""Functions the host answers: translations, choice labels and device properties.

The form session lends these through `Context.env` (`itext`, `choice_label`,
`properties`); without them (a bare `forms.xpath.evaluate`) the functions fall back
to something harmless rather than failing.
"""

from __future__ import annotations

from forms.xpath.context import Context
from forms.xpath.functions.registry import function
from forms.xpath.tree import Node
from forms.xpath.values import Value, to_string, unpack


def _node_at(ctx: Context, path: str) -> Node | None:
    """The node at an absolute path without positions (`/data/roster/q`), taking inside
    repeats the instance that holds the context node, as JavaRosa contextualizes it.
    """
    names = [name for name in path.strip().split("/") if name]
    node: Node | None = ctx.main
    ancestors = set()
    walk: Node | None = ctx.node
    while walk is not None:
        ancestors.add(id(walk))
        walk = walk.parent
    for name in names:
        if node is None:
            return None
        matches = [child for child in node.children if child.name == name]
        if not matches:
            return None
        node = next((m for m in matches if id(m) in ancestors), matches[0])
    return node


@function("jr:choice-name", 2)
def choice_name(ctx: Context, args: list[Value]) -> Value:
    """`jr:choice-name(value, ' /data/q ')`: the label, in the current language, of the
    choice `value` of the select at the path (pyxform passes the path as a string; a
    node-set is accepted too). Without a label service the value itself is returned,
    so an output still shows something meaningful.
    """
    value = to_string(unpack(args[0]))
    if not value:
        return ""
    where = args[1]
    node = (
        (where[0] if where else None)
        if isinstance(where, list)
        else _node_at(ctx, to_string(where))
    )
    label_of = ctx.env.choice_label
    if label_of is None or node is None:
        return value
    return label_of(value, node)


@function("jr:itext", 1)
def itext(ctx: Context, args: list[Value]) -> Value:
    """The translation of a text id in the current language; empty without translations."""
    lookup = ctx.env.itext
    return lookup(to_string(args[0])) if lookup is not None else ""


@function("property", 1)
def property_(ctx: Context, args: list[Value]) -> Value:
    """A device property (`deviceid`, `username`, `email`, `phonenumber`...); empty if unknown."""
    return ctx.env.properties.get(to_string(args[0]), "")

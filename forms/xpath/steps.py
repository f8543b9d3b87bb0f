"""Location steps compiled to functions over node lists: axes, name tests, predicates."""

from __future__ import annotations

from collections.abc import Callable

from forms.xpath import ast
from forms.xpath.context import Context
from forms.xpath.operators import document_order
from forms.xpath.tree import DOCUMENT, Node
from forms.xpath.values import Value, to_boolean

Axis = Callable[[Node], list[Node]]
NodeFilter = Callable[[list[Node], Context], list[Node]]
"""Keeps the nodes of a list a predicate accepts (positions are 1-based in the list)."""
StepFn = Callable[[list[Node], Context], list[Node]]

REVERSE_AXES = frozenset({"parent", "ancestor", "ancestor-or-self"})
NESTING_AXES = frozenset(
    {"parent", "ancestor", "ancestor-or-self", "descendant", "descendant-or-self"}
)
"""Axes whose results from several nodes can overlap or come out of document order."""


def name_matcher(test: str) -> Callable[[Node], bool] | None:
    """A node test as a predicate on nodes; None when every node passes (`node()`)."""
    if test == ast.NODE_TEST:
        return None
    local = test.rpartition(":")[2]
    if local == "*":
        return lambda n: n.name != DOCUMENT
    return lambda n: n.name == local


def _ancestors(node: Node) -> list[Node]:
    found: list[Node] = []
    parent = node.parent
    while parent is not None:
        found.append(parent)
        parent = parent.parent
    return found


def axis_function(axis: str, test: str) -> Axis:
    """The nodes of `axis` from a node that pass `test`; reverse axes nearest first."""
    match = name_matcher(test)
    local = test.rpartition(":")[2]
    if axis == "child":
        if match is None or local == "*":
            return lambda n: list(n.children)
        return lambda n: [c for c in n.children if c.name == local]
    if axis == "attribute":
        if match is None or local == "*":
            return lambda n: [a for k in n.attrs if (a := n.attribute(k)) is not None]
        return lambda n: [] if (a := n.attribute(local)) is None else [a]
    base: Axis
    if axis == "self":
        base = lambda n: [n]  # noqa: E731
    elif axis == "parent":
        base = lambda n: [] if n.parent is None else [n.parent]  # noqa: E731
    elif axis == "ancestor":
        base = _ancestors
    elif axis == "ancestor-or-self":
        base = lambda n: [n, *_ancestors(n)]  # noqa: E731
    elif axis == "descendant":
        base = lambda n: list(n.iter())[1:]  # noqa: E731
    else:
        base = lambda n: list(n.iter())  # noqa: E731
    if match is None:
        return base
    test_fn = match
    return lambda n: [x for x in base(n) if test_fn(x)]


def number_filter(value: float) -> NodeFilter:
    """`[3]`: the third node, without evaluating anything per node."""
    index = int(value)
    if index != value or index < 1:
        return lambda nodes, ctx: []
    return lambda nodes, ctx: nodes[index - 1 : index]


def keep_if(pred: Callable[[Context], Value]) -> NodeFilter:
    """A general predicate: a number selects by position, anything else as a boolean."""

    def apply(nodes: list[Node], ctx: Context) -> list[Node]:
        sub = ctx.at(nodes[0], 1, len(nodes))
        kept: list[Node] = []
        for i, node in enumerate(nodes, 1):
            sub.node = node
            sub.position = i
            v = pred(sub)
            if type(v) is float or type(v) is int:
                if v == i:
                    kept.append(node)
            elif to_boolean(v):
                kept.append(node)
        return kept

    return apply


def apply_filters(nodes: list[Node], filters: list[NodeFilter], ctx: Context) -> list[Node]:
    for f in filters:
        if not nodes:
            break
        nodes = f(nodes, ctx)
    return nodes


def compile_step(step: ast.Step, filters: list[NodeFilter], ordered_input: bool) -> StepFn:
    """One step applied to every node of a list; the result is in document order.

    `ordered_input` says the input cannot hold a node and its descendant, so a
    child, attribute or self step keeps document order without sorting.
    """
    axis = axis_function(step.axis, step.test)
    needs_order = step.axis in NESTING_AXES or not ordered_input
    reverse = step.axis in REVERSE_AXES
    if not filters:

        def plain(nodes: list[Node], ctx: Context) -> list[Node]:
            if len(nodes) == 1:
                out = axis(nodes[0])
                return out[::-1] if reverse else out
            out = [x for n in nodes for x in axis(n)]
            return document_order(out) if needs_order else out

        return plain

    def filtered(nodes: list[Node], ctx: Context) -> list[Node]:
        out: list[Node] = []
        for n in nodes:
            found = apply_filters(axis(n), filters, ctx)
            out.extend(found[::-1] if reverse else found)
        if len(nodes) > 1 and needs_order:
            return document_order(out)
        return out

    return filtered

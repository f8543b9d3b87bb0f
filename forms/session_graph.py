"""The dependency graph a `FormSession` recomputes along.

Every bind expression (calculate, relevant, required, readonly) and every `jr:count`
becomes a `Computation` over one position-free path. Each computation reads paths
(from `forms.xpath.references`, resolved against the path it is computed for) and
writes one thing: a value (calculate), the relevance of a subtree (relevant), the
instances of a repeat (count) or a flag nothing else reads (required, readonly).
Computations are put in topological order once, when the form loads; a cycle among
calculations, relevance and counts is a `FormError` naming the fields.

A read through a relative path carries an `anchor`: the highest node the path climbs
to. A change inside a repeat instance then only re-evaluates targets that share that
instance; absolute reads re-evaluate every instance.
"""

from __future__ import annotations

import heapq
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from forms.definition import Expression, FormDefinition
from forms.errors import FormError, Place, Problem
from forms.xpath import Compiled, compile_tree
from forms.xpath.evaluator import guard
from forms.xpath.references import references_of

WRITES_VALUE = ("calculate", "choices")
ORDERED_KINDS = ("calculate", "relevant", "count", "choices")
"""Kinds whose results other computations read: a cycle among them cannot be evaluated."""


@dataclass(frozen=True, slots=True)
class Read:
    """A path a computation reads; `anchor` is set for relative reads (see module doc)."""

    path: str
    anchor: str | None


@dataclass(slots=True)
class Computation:
    kind: str
    """`calculate`, `relevant`, `required`, `readonly`, `count` or `choices` (a select's
    filtered list: answers it stops offering are dropped)."""
    path: str
    expression: Expression
    compiled: Compiled
    reads: tuple[Read, ...]
    index: int = 0
    """Position in topological order."""


@dataclass(slots=True)
class Graph:
    computations: list[Computation]
    readers: dict[str, list[tuple[Computation, Read]]] = field(default_factory=dict)
    paths: tuple[str, ...] = ()
    """Every primary-instance path, in document order."""
    _under: dict[str, list[Computation]] = field(default_factory=dict)

    def readers_of(self, path: str) -> list[tuple[Computation, Read]]:
        return self.readers.get(path, [])

    def under(self, path: str) -> list[Computation]:
        """Computations for `path` or a path below it, in order."""
        found = self._under.get(path)
        if found is None:
            prefix = path + "/"
            found = [c for c in self.computations if c.path == path or c.path.startswith(prefix)]
            self._under[path] = found
        return found


def resolve_read(reference: str, context: str, repeats: Iterable[str] = ()) -> Read | None:
    """A `references()` path as an absolute primary-instance path; None for other instances.
    An absolute path through a repeat that `context` is inside means the context's own
    instance (see `forms.xpath.evaluator.in_current_instance`): it is anchored there."""
    if reference.startswith("instance("):
        return None
    if reference.startswith("/"):
        path = _clean("/" + reference.strip("/"))
        shared = [r for r in repeats if _within(context, r) and _within(path, r)]
        return Read(path, max(shared, key=len) if shared else None)
    rest = reference
    if rest.startswith("current()"):
        rest = rest[len("current()") :].lstrip("/")
    parts = context.split("/")
    lowest = len(parts)
    for segment in rest.split("/"):
        if segment in (".", ""):
            continue
        if segment == "..":
            if len(parts) > 1:
                parts.pop()
            lowest = min(lowest, len(parts))
        elif _plain(segment):
            parts.append(segment)
        else:
            break
    path = "/".join(parts) or "/"
    return Read(path, "/".join(parts[:lowest]) or "/")


def _within(path: str, top: str) -> bool:
    return path == top or path.startswith(top + "/")


_NOT_PLAIN = re.compile(r"[*:()\[\]]")


def _plain(segment: str) -> bool:
    return _NOT_PLAIN.search(segment) is None or segment.startswith("@")


def _clean(path: str) -> str:
    kept: list[str] = []
    for segment in path.split("/")[1:]:
        if not _plain(segment):
            break
        kept.append(segment)
    return "/" + "/".join(kept)


def compile_expression(expression: Expression) -> Compiled:
    """Compile the definition's already parsed tree (no second parse)."""
    return guard(compile_tree(expression.ast), expression.text)


_BUILT: dict[int, tuple[FormDefinition, Graph]] = {}
_BUILT_LIMIT = 8


def graph_for(definition: FormDefinition) -> Graph:
    """The graph of a definition, built once and shared by its sessions (it is read-only)."""
    found = _BUILT.get(id(definition))
    if found is not None and found[0] is definition:
        return found[1]
    graph = build_graph(definition)
    if len(_BUILT) >= _BUILT_LIMIT:
        _BUILT.pop(next(iter(_BUILT)))
    _BUILT[id(definition)] = (definition, graph)
    return graph


def build_graph(definition: FormDefinition) -> Graph:
    computations: list[Computation] = []

    def add(kind: str, path: str, expression: Expression | None, context: str) -> None:
        if expression is None:
            return
        reads = []
        # indexed-repeat() reads every instance, whatever the context (conservative)
        repeats = () if "indexed-repeat" in expression.text else definition.repeat_paths
        for reference in sorted(references_of(expression.text, expression.ast)):
            read = resolve_read(reference, context, repeats)
            if read is not None:
                reads.append(read)
        compiled = compile_expression(expression)
        computations.append(Computation(kind, path, expression, compiled, tuple(reads)))

    for bind in definition.binds:
        add("relevant", bind.nodeset, bind.relevant, bind.nodeset)
        add("calculate", bind.nodeset, bind.calculate, bind.nodeset)
        add("readonly", bind.nodeset, bind.readonly, bind.nodeset)
        add("required", bind.nodeset, bind.required, bind.nodeset)
    for control in definition.controls():
        if control.kind == "repeat" and control.ref is not None:
            add("count", control.ref, control.count, control.ref)
        elif control.itemset is not None and control.ref is not None:
            if "[" not in control.itemset.nodeset.text:
                continue  # an unfiltered list never changes
            add("choices", control.ref, control.itemset.nodeset, control.ref)
            if not computations[-1].reads:
                computations.pop()  # nor does one filtered on other instances only
    paths = tuple(dict.fromkeys(node.path for node in definition.instance.iter()))
    ordered = _topological(computations)
    graph = Graph(ordered, paths=paths)
    readers: dict[str, list[tuple[Computation, Read]]] = defaultdict(list)
    for computation in ordered:
        for read in computation.reads:
            readers[read.path].append((computation, read))
    graph.readers = dict(readers)
    return graph


def _writes(computation: Computation, subtrees: dict[str, list[str]]) -> list[str]:
    """What a computation changes, for ordering. A count adds or removes instances: it is
    ordered before what counts or positions them and what they compute, not before what
    reads their answers (a count may sum "add another?" answers of its own instances)."""
    if computation.kind in WRITES_VALUE or computation.kind == "count":
        return [computation.path]
    if computation.kind == "relevant":
        return subtrees.get(computation.path, [computation.path])
    return []


def _read_below(read_paths: Iterable[str]) -> dict[str, list[str]]:
    """Each path read anywhere, listed under itself and every ancestor: what a relevance
    condition on that ancestor hides from the computations reading it."""
    below: dict[str, list[str]] = defaultdict(list)
    for path in read_paths:
        ancestor = path
        while ancestor:
            below[ancestor].append(path)
            ancestor = ancestor.rpartition("/")[0]
    return below


def _topological(computations: list[Computation]) -> list[Computation]:
    by_read: dict[str, list[int]] = defaultdict(list)
    for i, computation in enumerate(computations):
        for read in computation.reads:
            by_read[read.path].append(i)
    edges: list[set[int]] = [set() for _ in computations]
    subtrees = _read_below(by_read)
    for i, computation in enumerate(computations):
        for written in _writes(computation, subtrees):
            for j in by_read.get(written, ()):
                if i == j and computation.kind in ("relevant", "choices"):
                    continue  # a group's relevance reading its own children is evaluated once
                edges[i].add(j)
        if computation.kind == "count":
            prefix = computation.path + "/"
            for j, other in enumerate(computations):
                if other.path.startswith(prefix):
                    edges[i].add(j)
    incoming = [0] * len(computations)
    for targets in edges:
        for j in targets:
            incoming[j] += 1
    ready = [i for i, n in enumerate(incoming) if n == 0]
    heapq.heapify(ready)
    order: list[int] = []
    while ready:
        i = heapq.heappop(ready)
        order.append(i)
        for j in edges[i]:
            incoming[j] -= 1
            if incoming[j] == 0:
                heapq.heappush(ready, j)
    if len(order) < len(computations):
        stuck = [computations[i] for i, n in enumerate(incoming) if n > 0]
        fields = sorted({c.path for c in stuck if c.kind in ORDERED_KINDS})
        raise FormError(
            [
                Problem(
                    "session.cycle",
                    {"fields": ", ".join(fields)},
                    Place(field=fields[0] if fields else None),
                )
            ]
        )
    result = [computations[i] for i in order]
    for index, computation in enumerate(result):
        computation.index = index
    return result

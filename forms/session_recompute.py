"""The live instance of a session and its recomputation along the dependency graph.

`Recomputer` holds the primary instance tree and the per-node state the binds
decide (own relevance, readonly, required). A change (an answer, a setvalue, a new
or removed repeat instance) is pushed to `changed`/`structure_changed`, which queue
the computations reading it, scoped to the repeat instance concerned; `flush` runs
the queue in topological order, so each computation sees its inputs up to date.
`recompute_all` evaluates everything from scratch.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Mapping

from forms.definition import Action, Expression, FormDefinition
from forms.errors import FormError, Place, Problem
from forms.session_graph import Computation, Graph, Read, compile_expression, graph_for
from forms.session_index import NodeIndex
from forms.session_paths import ancestor_at, deepest_repeat, insert_index, nodes_at
from forms.xpath import Compiled, Context, Environment
from forms.xpath.tree import Node
from forms.xpath.values import Value, format_number, to_boolean, to_date, to_number, to_string

MAX_REPEAT_COUNT = 1000
"""A `jr:count` above this creates only this many instances (with a notice)."""
MAX_STEPS = 1_000_000
MAX_LAYOUT_CHANGES = 10_000


class Recomputer:
    def __init__(
        self,
        definition: FormDefinition,
        document: Node,
        instances: Mapping[str, Node],
        env: Environment,
    ) -> None:
        self.definition = definition
        self.graph: Graph = graph_for(definition)
        self.document = document
        self.instances = dict(instances)
        self.env = env
        self.repeats = definition.repeat_paths
        self.own_relevant: dict[Node, bool] = {}
        self.readonly: dict[Node, bool] = {}
        self.required: dict[Node, bool] = {}
        self._notices: dict[tuple[str, str], Problem] = {}
        self.evaluations = 0
        self._compiled: dict[int, tuple[Expression, Compiled]] = {}
        """How many (computation, node) evaluations ran: the cost of recomputing."""
        self.index = NodeIndex(document, self.repeats)
        self.layout_dirty: list[tuple[Node, str | None]] = []
        """What changed the screens since they were last read: `(node, None)` when a
        node's relevance changed, `(parent, name)` when an instance of repeat `name` was
        added below `parent` or removed from it."""
        self.layout_removed: list[Node] = []
        """Repeat instances removed since the screens were last read."""
        self.layout_reset = True
        """Everything is to be listed again (the session started or recomputed all)."""
        self._queue: dict[int, dict[Node, None] | None] = {}
        self._heap: list[int] = []
        self._child_order = {
            t.path: [c.name for c in t.children] for t in definition.instance.iter()
        }

    @property
    def notices(self) -> list[Problem]:
        """Problems of the form itself met while computing (a failing calculation, a capped
        repeat count), one per field and kind."""
        return list(self._notices.values())

    def notice(self, problem: Problem) -> None:
        self._notices[(problem.code, problem.place.field or "")] = problem

    # -- evaluation -----------------------------------------------------------------

    def context(self, node: Node, current: Node | None = None) -> Context:
        return Context(node, self.document, current or node, self.instances, self.env)

    def compiled(self, expression: Expression) -> Compiled:
        """The compiled form of one of the definition's expressions (compiled once)."""
        found = self._compiled.get(id(expression))
        if found is None or found[0] is not expression:
            found = (expression, compile_expression(expression))
            self._compiled[id(expression)] = found
        return found[1]

    def run(self, compiled: Compiled, node: Node, current: Node | None = None) -> Value:
        return compiled(self.context(node, current))

    def ref(self, node: Node) -> str:
        return self.index.ref(node)

    # -- queueing -------------------------------------------------------------------

    def changed(self, node: Node) -> None:
        """`node`'s value (or relevance) changed: queue what reads it."""
        for computation, read in self.graph.readers_of(node.path()):
            self._enqueue(computation, self._scope(node, read))

    def structure_changed(self, node: Node, *, everywhere: bool = False) -> None:
        """A repeat instance was added at `node` (or removed from `node`'s parent)."""
        for each in node.iter():
            for computation, read in self.graph.readers_of(each.path()):
                self._enqueue(computation, None if everywhere else self._scope(each, read))

    def _scope(self, node: Node, read: Read) -> Node | None:
        if read.anchor is None:
            return None
        repeat = deepest_repeat(read.anchor, self.repeats)
        return ancestor_at(node, repeat) if repeat is not None else None

    def _enqueue(self, computation: Computation, scope: Node | None) -> None:
        index = computation.index
        if index not in self._queue:
            self._queue[index] = {scope: None} if scope is not None else None
            heapq.heappush(self._heap, index)
            return
        scopes = self._queue[index]
        if scopes is None:
            return
        if scope is None:
            self._queue[index] = None
        else:
            scopes[scope] = None

    def flush(self) -> None:
        steps = 0
        computations = self.graph.computations
        while self._heap:
            index = heapq.heappop(self._heap)
            scopes = self._queue.pop(index)
            computation = computations[index]
            for node in self._targets(computation, scopes):
                steps += 1
                if steps > MAX_STEPS:
                    raise FormError.of("session.eval_failed", ref=computation.path, detail="loop")
                self._apply(computation, node)

    def _targets(self, computation: Computation, scopes: Iterable[Node] | None) -> list[Node]:
        pattern = computation.path
        if computation.kind == "count":
            pattern = pattern.rsplit("/", 1)[0] or "/"
        if scopes is None:
            return nodes_at(self.document, pattern)
        found: list[Node] = []
        seen: set[int] = set()
        for scope in scopes:
            if scope.root() is not self.document:
                continue  # removed meanwhile
            base = scope.path()
            if pattern == base or pattern.startswith(base + "/"):
                nodes = nodes_at(scope, pattern)
            elif base.startswith(pattern + "/"):
                above = ancestor_at(scope, pattern)
                nodes = [above] if above is not None else []
            else:
                nodes = nodes_at(self.document, pattern)
            for node in nodes:
                if id(node) not in seen:
                    seen.add(id(node))
                    found.append(node)
        return found

    # -- applying one computation to one node ---------------------------------------

    def _apply(self, computation: Computation, node: Node) -> None:
        self.evaluations += 1
        kind = computation.kind
        if kind == "count":
            self._apply_count(computation, node)
            return
        if kind == "choices":
            self._apply_choices(computation, node)
            return
        try:
            result = self.run(computation.compiled, node)
        except FormError as error:
            self.notice(
                Problem(
                    "session.eval_failed",
                    {"ref": self.ref(node), "detail": error.problems[0].message},
                    Place(field=self.ref(node)),
                )
            )
            result = "" if kind == "calculate" else False
        if kind == "calculate":
            self.set_text(node, stored_value(result, node.datatype))
        elif kind == "relevant":
            own = to_boolean(result)
            if self.own_relevant.get(node, True) != own:
                self.own_relevant[node] = own
                self.refresh_relevance(node)
        elif kind == "readonly":
            self.readonly[node] = to_boolean(result)
        elif kind == "required":
            self.required[node] = to_boolean(result)

    def touch_layout(self, node: Node, repeat: str | None) -> None:
        """Note a change of the screens (see `layout_dirty`); past `MAX_LAYOUT_CHANGES`
        unread ones, everything is listed again instead."""
        if len(self.layout_dirty) >= MAX_LAYOUT_CHANGES:
            self.layout_reset = True
            self.layout_dirty.clear()
            self.layout_removed.clear()
        self.layout_dirty.append((node, repeat))

    def set_text(self, node: Node, text: str) -> bool:
        if node.text == text:
            return False
        node.text = text
        self.changed(node)
        return True

    def refresh_relevance(self, top: Node) -> None:
        """Effective relevance below `top` from own relevance and the parent's."""
        stack = [top]
        while stack:
            node = stack.pop()
            parent = node.parent
            effective = (parent.relevant if parent is not None else True) and self.own_relevant.get(
                node, True
            )
            if effective == node.relevant and node is not top:
                continue
            if effective != node.relevant:
                node.relevant = effective
                self.touch_layout(node, None)
                self.changed(node)
            stack.extend(node.children)

    def _apply_choices(self, computation: Computation, node: Node) -> None:
        """A select's filtered list changed: drop the answers it no longer offers (a new
        region clears the district, as in ODK Collect)."""
        control = self.definition.control_for(computation.path)
        if not node.text or control is None or control.itemset is None:
            return
        try:
            items = self.run(computation.compiled, node)
            value_of = self.compiled(control.itemset.value)
            nodes = items if isinstance(items, list) else []
            offered = {to_string(value_of(self.context(item, node))) for item in nodes}
        except FormError:
            return  # a failing filter (or an absent attachment) clears nothing
        kept = [value for value in node.text.split() if value in offered]
        self.set_text(node, " ".join(kept))

    # -- repeats --------------------------------------------------------------------

    def _apply_count(self, computation: Computation, parent: Node) -> None:
        name = computation.path.rsplit("/", 1)[1]
        probe = Node(name, parent=parent)
        existing = [c for c in parent.children if c.name == name]
        try:
            number = to_number(self.run(computation.compiled, existing[0] if existing else probe))
        except FormError:
            number = 0.0
        wanted = 0 if math.isnan(number) or number < 0 else int(min(number, 1e12))
        if wanted > MAX_REPEAT_COUNT:
            ref = self.ref(parent) + "/" + name
            self.notice(
                Problem(
                    "session.count_capped",
                    {"ref": ref, "asked": wanted, "limit": MAX_REPEAT_COUNT},
                    Place(field=ref),
                )
            )
            wanted = MAX_REPEAT_COUNT
        if len(existing) < wanted and not self.definition.actions_for("odk-new-repeat"):
            while len(existing) < wanted:  # evaluated together by the flush under way
                existing.append(self._insert_instance(parent, computation.path))
        while len(existing) < wanted:
            existing.append(self.add_instance(parent, computation.path))
        while len(existing) > wanted:
            self.remove_instance(existing.pop())

    def add_instance(self, parent: Node, pattern: str) -> Node:
        """Append a repeat instance below `parent`, evaluate it, run its `odk-new-repeat`."""
        node = self._insert_instance(parent, pattern)
        self.flush()
        self.run_actions(self.definition.actions_for("odk-new-repeat"), node)
        return node

    def _insert_instance(self, parent: Node, pattern: str) -> Node:
        """Append a repeat instance below `parent` and queue what it computes and changes."""
        node = self.definition.new_repeat_instance(pattern)
        index = insert_index(parent, node.name, self._child_order.get(parent.path(), []))
        self.index.inserted(parent, node, parent.insert(index, node))
        self.touch_layout(parent, node.name)
        for each in node.iter():
            each.relevant = each.parent.relevant if each.parent is not None else True
        for computation in self.graph.under(pattern):
            if computation.path != pattern or computation.kind != "count":
                self._enqueue(computation, node)
        self.structure_changed(node)
        return node

    def remove_instance(self, node: Node) -> None:
        parent = node.parent
        if parent is None:
            return
        parent.children.remove(node)
        self.index.forget(parent)
        self.index.forget_subtree(node)
        self.touch_layout(parent, node.name)
        self.layout_removed.append(node)
        for each in node.iter():
            self.own_relevant.pop(each, None)
            self.readonly.pop(each, None)
            self.required.pop(each, None)
        self.structure_changed(node, everywhere=True)
        node.parent = None

    # -- actions --------------------------------------------------------------------

    def run_actions(self, actions: Iterable[Action], scope: Node | None) -> None:
        """Run setvalue and setgeopoint actions on their targets (below `scope` when given).
        A geopoint is set from `env.location()` (left empty when no position is known)."""
        for action in actions:
            if action.kind not in ("setvalue", "setgeopoint"):
                self.notice_unsupported(action)
                continue
            start = scope if scope is not None else self.document
            targets = nodes_at(start, action.ref)
            if not targets and scope is not None:
                above = ancestor_at(scope, action.ref)
                targets = [above] if above is not None else nodes_at(self.document, action.ref)
            for target in targets:
                if action.kind == "setgeopoint":
                    text = self.env.location() or ""
                elif action.value is not None:
                    try:
                        result = self.run(self.compiled(action.value), target)
                    except FormError:
                        continue
                    text = stored_value(result, target.datatype)
                else:
                    text = action.literal or ""
                self.set_text(target, text)
            self.flush()

    def notice_unsupported(self, action: Action) -> None:
        """An action this engine cannot perform (`odk:recordaudio`): one notice, not silence."""
        if action.kind == "setvalue" or action.kind == "setgeopoint":
            return
        doing = "record audio" if action.kind == "recordaudio" else action.kind
        self.notice(
            Problem(
                "session.unsupported_action",
                {"action": doing, "ref": action.ref},
                Place(field=action.ref),
            )
        )

    # -- from scratch ---------------------------------------------------------------

    def recompute_all(self) -> None:
        """Evaluate every computation on every node, in order (no incremental shortcut)."""
        for node in self.document.iter():
            node.relevant = True
        self.layout_reset = True
        self.layout_dirty.clear()
        self.layout_removed.clear()
        self.own_relevant.clear()
        self.readonly.clear()
        self.required.clear()
        for computation in self.graph.computations:
            if computation.kind != "choices":  # a resumed answer is never cleared
                self._enqueue(computation, None)
        self.flush()


def stored_value(result: Value, datatype: str | None) -> str:
    """A computed value as its node stores it, cast to the bind's type like JavaRosa. A
    NaN result is stored empty whatever the type (JavaRosa's `IAnswerData.wrapData`
    turns a NaN double into no answer); the text "NaN" a string function returns stays."""
    if isinstance(result, float) and math.isnan(result):
        return ""
    if datatype in ("int", "integer", "long", "short"):
        number = to_number(result)
        return "" if not math.isfinite(number) else str(int(number))
    if datatype in ("decimal", "double", "float"):
        number = to_number(result)
        return "" if not math.isfinite(number) else format_number(number)
    if datatype == "date" and not isinstance(result, str | list):
        date = to_date(result)
        return date.isoformat()[:10] if date is not None else ""
    return to_string(result)

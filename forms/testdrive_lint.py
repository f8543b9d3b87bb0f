"""Static checks of a read form that pyxform does not make.

- relevance that is always false, directly (`false()`, `1 = 2`) or because it only
  reads questions that can never be shown (relevance is inherited by a group's
  questions);
- choice filters that name a column the choices lack, or leave no choice whatever
  is answered to the selects they read;
- calculations and relevance conditions that compute from each other in a circle.

Expressions that do not parse and unknown functions are found earlier, when the
XForm is read (`forms.testdrive.check_file` turns that `FormError` into findings).
Every finding is a `Problem` placed by `locate(path, column)`, which maps an XForm
path to its XLSForm sheet row when there is one.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from forms.definition import Control, Expression, FormDefinition
from forms.errors import FormError, Place, Problem
from forms.session_graph import build_graph, resolve_read
from forms.session_paths import nodes_at
from forms.xpath import Context, Environment, compile_expr, references
from forms.xpath.tree import Node, document
from forms.xpath.values import to_boolean, to_string

Locate = Callable[[str, "str | None"], Place]

VOLATILE = ("random(", "now(", "today(", "uuid(", "once(")
"""Functions whose result changes between evaluations: never treated as constant."""
MAX_COMBINATIONS = 2000
FIXED_NOW = dt.datetime(2024, 6, 15, 10, 30, tzinfo=dt.UTC)


def lint(definition: FormDefinition, locate: Locate) -> list[Problem]:
    """Every static finding, relevance first, then choice filters, then cycles."""
    never, problems = never_relevant(definition, locate)
    problems += reads_of_never_relevant(definition, never, locate)
    problems += choice_filters(definition, locate)
    problems += cycles(definition, locate)
    return problems


def name_of(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1]


def _within(path: str, tops: set[str]) -> bool:
    return any(path == top or path.startswith(top + "/") for top in tops)


def _reads(expression: Expression, context: str) -> list[str] | None:
    """The primary-instance paths an expression reads; None if it reads anything else."""
    found: list[str] = []
    for reference in sorted(references(expression.ast)):
        read = resolve_read(reference, context)
        if read is None:
            return None
        found.append(read.path)
    return found


@dataclass
class _Sandbox:
    """A throwaway instance (repeat templates included) to evaluate expressions in."""

    definition: FormDefinition

    def __post_init__(self) -> None:
        self.doc = document(self.definition.instance.build(with_templates=True))
        self.instances: dict[str, Node] = {
            s.id: s.document() for s in self.definition.secondary_instances if s.content
        }
        self.env = Environment(now=lambda: FIXED_NOW)

    def blank(self, tops: set[str]) -> None:
        for node in self.doc.iter():
            if node.name != "#document" and _within(node.path(), tops):
                node.text = ""

    def set(self, path: str, text: str) -> None:
        for node in nodes_at(self.doc, path):
            node.text = text

    def evaluate(self, expression: Expression, path: str) -> object:
        nodes = nodes_at(self.doc, path)
        if not nodes:
            raise LookupError(path)
        node = nodes[0]
        context = Context(node, self.doc, node, self.instances, self.env)
        return compile_expr(expression.text)(context)


# -- relevance ----------------------------------------------------------------------


def never_relevant(definition: FormDefinition, locate: Locate) -> tuple[set[str], list[Problem]]:
    """Paths that can never be relevant (the top ones), and a finding for each."""
    never: set[str] = set()
    problems: list[Problem] = []
    changed = True
    while changed:
        changed = False
        for bind in definition.binds:
            relevant = bind.relevant
            if relevant is None or _within(bind.nodeset, never):
                continue
            if any(v in relevant.text.replace(" ", "") for v in VOLATILE):
                continue
            reads = _reads(relevant, bind.nodeset)
            if reads is None or not all(_within(r, never) for r in reads):
                continue
            sandbox = _Sandbox(definition)
            sandbox.blank(never)
            try:
                value = sandbox.evaluate(relevant, bind.nodeset)
            except (FormError, LookupError):
                continue
            if to_boolean(value):  # type: ignore[arg-type]
                continue
            never.add(bind.nodeset)
            changed = True
            params = {"name": name_of(bind.nodeset), "expr": relevant.text.strip()}
            code = "check.never_relevant"
            if reads:
                code = "check.never_relevant_ref"
                params["refs"] = ", ".join(sorted({f"'{name_of(r)}'" for r in reads}))
            problems.append(Problem(code, params, locate(bind.nodeset, "relevant")))
    return never, problems


def reads_of_never_relevant(
    definition: FormDefinition, never: set[str], locate: Locate
) -> list[Problem]:
    """Calculations and conditions of shown questions that read a never-shown one."""
    problems: list[Problem] = []
    if not never:
        return problems
    for bind in definition.binds:
        if _within(bind.nodeset, never):
            continue
        for column, expression in (("relevant", bind.relevant), ("calculation", bind.calculate)):
            if expression is None:
                continue
            reads = _reads(expression, bind.nodeset) or []
            blocked = sorted({f"'{name_of(r)}'" for r in reads if _within(r, never)})
            if blocked:
                params = {
                    "column": column,
                    "name": name_of(bind.nodeset),
                    "refs": ", ".join(blocked),
                }
                problems.append(
                    Problem(
                        "check.reads_never_relevant",
                        params,
                        locate(bind.nodeset, column),
                        severity="warning",
                    )
                )
    return problems


# -- choice filters -----------------------------------------------------------------


def _filtered_selects(definition: FormDefinition) -> Iterator[tuple[Control, str, str]]:
    """Selects with a filtered itemset: (control, items path, instance id)."""
    for control in definition.controls():
        itemset = control.itemset
        if itemset is None or control.ref is None or itemset.instance_id is None:
            continue
        text = itemset.nodeset.text.replace(" ", "")
        if "[" not in text:
            continue
        yield control, text.split("[", 1)[0], itemset.instance_id


def _columns(definition: FormDefinition, instance_id: str, items_path: str) -> set[str] | None:
    secondary = definition.secondary_instance(instance_id)
    if secondary is None or secondary.content is None:
        return None
    path = items_path.split(")", 1)[1]
    return {c.name for item in nodes_at(secondary.document(), path) for c in item.children}


def _values(definition: FormDefinition, path: str) -> list[str] | None:
    """Every value a select at `path` can take, if it is a select with fixed choices."""
    control = definition.control_for(path)
    if control is None or control.kind not in ("select1", "select"):
        return None
    if control.items:
        return [i.value for i in control.items]
    itemset = control.itemset
    if itemset is None or itemset.instance_id is None or "[" in itemset.nodeset.text:
        return None
    secondary = definition.secondary_instance(itemset.instance_id)
    if secondary is None or secondary.content is None:
        return None
    sandbox = _Sandbox(definition)
    items = sandbox.evaluate(itemset.nodeset, path)
    if not isinstance(items, list):
        return None
    value_of = compile_expr(itemset.value.text)
    return [
        to_string(value_of(Context(item, sandbox.doc, item, sandbox.instances, sandbox.env)))
        for item in items
    ]


def choice_filters(definition: FormDefinition, locate: Locate) -> list[Problem]:
    problems: list[Problem] = []
    for control, items_path, instance_id in _filtered_selects(definition):
        assert control.itemset is not None and control.ref is not None
        expression = control.itemset.nodeset
        name, place = name_of(control.ref), locate(control.ref, "choice_filter")
        columns = _columns(definition, instance_id, items_path)
        if columns is None:
            continue
        reads: list[str] = []
        unknown = False
        for reference in sorted(references(expression.ast)):
            if reference.startswith(items_path + "/"):
                column = reference[len(items_path) + 1 :].split("/", 1)[0]
                if column not in columns and not column.startswith("@"):
                    unknown = True
                    params = {
                        "name": name,
                        "column": column,
                        "list": instance_id,
                        "columns": ", ".join(sorted(columns)),
                    }
                    problems.append(Problem("check.filter_unknown_column", params, place))
            elif not reference.startswith("instance("):
                read = resolve_read(reference, control.ref)
                if read is not None:
                    reads.append(read.path)
        if not unknown:
            problems += _try_filter(definition, control, sorted(set(reads)), place)
    return problems


def _try_filter(
    definition: FormDefinition, control: Control, reads: list[str], place: Place
) -> list[Problem]:
    """Evaluate the filter for every combination of answers to the selects it reads."""
    assert control.itemset is not None and control.ref is not None
    choices = [_values(definition, r) for r in reads]
    if not reads or any(c is None or not c for c in choices):
        return []
    combos = list(itertools.islice(itertools.product(*choices), MAX_COMBINATIONS))  # type: ignore[arg-type]
    sandbox = _Sandbox(definition)
    empty_for: list[tuple[str, ...]] = []
    for combo in combos:
        for path, value in zip(reads, combo, strict=True):
            sandbox.set(path, value)
        try:
            found = sandbox.evaluate(control.itemset.nodeset, control.ref)
        except (FormError, LookupError):
            return []
        if not (isinstance(found, list) and found):
            empty_for.append(combo)
    refs = ", ".join(f"'{name_of(r)}'" for r in reads)
    expr = control.itemset.nodeset.text.strip()
    if len(empty_for) == len(combos):
        params = {"name": name_of(control.ref), "expr": expr, "refs": refs}
        return [Problem("check.filter_matches_nothing", params, place)]
    if empty_for and len(reads) == 1:
        answers = " or ".join(f"'{name_of(reads[0])}' is '{c[0]}'" for c in empty_for[:5])
        params = {"name": name_of(control.ref), "answers": answers}
        return [Problem("check.filter_empty_for", params, place, severity="warning")]
    return []


# -- cycles -------------------------------------------------------------------------


def cycles(definition: FormDefinition, locate: Locate) -> list[Problem]:
    """Circles among calculations and relevance; else whatever stops a session loading."""
    try:
        build_graph(definition)
    except FormError as error:
        circles = _circles(definition)
        if not circles:
            detail = "; ".join(p.message for p in error.problems)
            return [Problem("check.session_refused", {"detail": detail}, error.problems[0].place)]
        problems = []
        for circle in circles:
            fields = ", ".join(_named(path, locate) for path in circle)
            problems.append(Problem("check.cycle", {"fields": fields}, locate(circle[0], None)))
        return problems
    return []


def _named(path: str, locate: Locate) -> str:
    place = locate(path, None)
    return f"'{name_of(path)}' (row {place.row})" if place.row else f"'{name_of(path)}'"


def _circles(definition: FormDefinition) -> list[list[str]]:
    """Strongly connected groups of calculate/relevant binds (Tarjan), in form order."""
    paths = [n.path for n in definition.instance.iter()]
    edges: dict[str, set[str]] = {}
    for bind in definition.binds:
        for kind, expression in (("calculate", bind.calculate), ("relevant", bind.relevant)):
            if expression is None:
                continue
            for read in _reads(expression, bind.nodeset) or []:
                writers = [
                    b.nodeset
                    for b in definition.binds
                    if (b.calculate is not None and b.nodeset == read)
                    or (b.relevant is not None and _within(read, {b.nodeset}))
                ]
                for writer in writers:
                    if writer == bind.nodeset and kind == "relevant":
                        continue
                    edges.setdefault(writer, set()).add(bind.nodeset)
    order = {p: i for i, p in enumerate(paths)}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group: list[str] = []
            while True:
                top = stack.pop()
                group.append(top)
                if top == node:
                    break
            if len(group) > 1 or node in edges.get(node, ()):
                found.append(sorted(group, key=lambda p: order.get(p, 0)))

    for start in sorted(edges):
        if start not in index:
            visit(start)
    return sorted(found, key=lambda g: order.get(g[0], 0))

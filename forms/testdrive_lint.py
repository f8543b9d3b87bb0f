"""Static checks of a read form that pyxform does not make.

- relevance that is always false, directly (`1 = 2`) or because it only reads
  questions that can never be shown (relevance is inherited by a group's questions);
  a plain `false()` is the ODK idiom for a hidden field and is only information;
- calculations and relevance conditions that compute from each other in a circle.

Expressions that do not parse and unknown functions are found earlier, when the
XForm is read (`forms.testdrive.check_file` turns that `FormError` into findings).
Every finding is a `Problem` placed by `locate(path, column)`, which maps an XForm
path to its XLSForm sheet row when there is one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from forms.definition import Expression, FormDefinition
from forms.errors import FormError, Place, Problem
from forms.session_graph import build_graph, resolve_read
from forms.session_paths import nodes_at
from forms.xpath import Context, Environment, compile_expr, references
from forms.xpath.tree import Node, document
from forms.xpath.values import to_boolean

Locate = Callable[[str, "str | None"], Place]

VOLATILE = ("random(", "now(", "today(", "uuid(", "once(")
"""Functions whose result changes between evaluations: never treated as constant."""
FIXED_NOW = dt.datetime(2024, 6, 15, 10, 30, tzinfo=dt.UTC)


def lint(definition: FormDefinition, locate: Locate) -> list[Problem]:
    """Every static finding of relevance and cycles (choice filters: `testdrive_filters`)."""
    never, problems = never_relevant(definition, locate)
    problems += reads_of_never_relevant(definition, never, locate)
    problems += cycles(definition, locate)
    return problems


def name_of(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1]


WRITTEN_REF = re.compile(r"( ?)(?<![\w)\]'\"])(?:/|\.\./)(?:[\w.-]+/)*([A-Za-z_][\w.-]*)( ?)")


def as_written(text: str) -> str:
    """An XForm expression as the designer wrote it: pyxform's ` /data/a ` back to `${a}`."""

    def written(match: re.Match[str]) -> str:
        before, name, after = match.groups()
        padded = bool(before and after)  # pyxform puts a space on each side
        return ("" if padded else before) + f"${{{name}}}" + ("" if padded else after)

    return WRITTEN_REF.sub(written, text).strip()


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
class Sandbox:
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
            sandbox = Sandbox(definition)
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
            code, severity = "check.never_relevant", "error"
            if reads:
                code = "check.never_relevant_ref"
                params["refs"] = ", ".join(sorted({f"'{name_of(r)}'" for r in reads}))
            elif bind.nodeset in hidden_paths(definition):
                code, severity = "check.hidden", "info"
            problems.append(Problem(code, params, locate(bind.nodeset, "relevant"), severity))
    return never, problems


def hidden_paths(definition: FormDefinition) -> set[str]:
    """Paths hidden on purpose with `relevant = false()`, the ODK idiom for a field
    that only carries a value: information, not a mistake."""
    return {
        bind.nodeset
        for bind in definition.binds
        if bind.relevant is not None and bind.relevant.text.replace(" ", "") == "false()"
    }


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

"""What opens the gated parts of a form: literals that relevance conditions compare
answers with (`${consent} = 'yes'`, `selected(${crops}, 'rice')`, `${age} >= 15`).

Random answers rarely hit them, so a simulated interview that picked uniformly would
never see what lies behind a consent question. The test-drive prefers these values.
"""

from __future__ import annotations

from collections import defaultdict

from forms.definition import FormDefinition
from forms.session_graph import resolve_read
from forms.xpath import ast, references
from forms.xpath.values import format_number

COMPARISONS = frozenset({"=", "!=", "<", "<=", ">", ">="})
PREFER = 0.8
"""How often the test-drive answers with a gate value when the question has one."""


_FOUND: dict[int, tuple[FormDefinition, dict[str, tuple[str, ...]]]] = {}


def gate_values(definition: FormDefinition) -> dict[str, tuple[str, ...]]:
    """Each question path (no positions) with the literals relevance compares it with;
    numbers also one above and below, so `>`, `<` and `!=` gates open too."""
    cached = _FOUND.get(id(definition))
    if cached is not None and cached[0] is definition:
        return cached[1]
    found: dict[str, dict[str, None]] = defaultdict(dict)
    for bind in definition.binds:
        if bind.relevant is not None:
            _collect(bind.relevant.ast, bind.nodeset, found)
    result = {path: tuple(values) for path, values in found.items()}
    if len(_FOUND) >= 8:
        _FOUND.pop(next(iter(_FOUND)))
    _FOUND[id(definition)] = (definition, result)
    return result


def _collect(expr: ast.Expr, context: str, found: dict[str, dict[str, None]]) -> None:
    if isinstance(expr, ast.Binary):
        if expr.op in COMPARISONS:
            _compare(expr.left, expr.right, context, found)
            _compare(expr.right, expr.left, context, found)
        _collect(expr.left, context, found)
        _collect(expr.right, context, found)
    elif isinstance(expr, ast.Call):
        if expr.name == "selected" and len(expr.args) == 2:
            _compare(expr.args[0], expr.args[1], context, found)
        for arg in expr.args:
            _collect(arg, context, found)
    elif isinstance(expr, ast.Negate):
        _collect(expr.operand, context, found)


def _compare(
    side: ast.Expr, literal: ast.Expr, context: str, found: dict[str, dict[str, None]]
) -> None:
    if not isinstance(side, ast.Path | ast.Filter):
        return
    if isinstance(literal, ast.String):
        values = [literal.value]
    elif isinstance(literal, ast.Number):
        values = [format_number(literal.value + d) for d in (0, 1, -1)]
    else:
        return
    paths = references(side)
    if len(paths) != 1:
        return
    read = resolve_read(next(iter(paths)), context)
    if read is not None:
        for value in values:
            found[read.path][value] = None

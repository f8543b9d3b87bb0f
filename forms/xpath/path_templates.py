"""Expressions that differ only in their absolute paths share one parse.

A form's expressions repeat a few shapes with different fields: ` /data/g/q7  != ''`,
`coalesce( /data/g/q8 , 0) + 1`. `split_paths` replaces each absolute plain path with a
numbered placeholder step (`/_p0_`); the parser parses (and caches) the template once
per shape; `fill` puts the paths back into a copy of the tree. When a placeholder does
not come back as a whole absolute path (the slash was a step separator, `a /b`; or a
path inside a string literal), `fill` gives None and the caller parses the text itself.
"""

from __future__ import annotations

import re

from forms.xpath import ast
from forms.xpath.tokens import NAME

_ABSOLUTE = re.compile(rf"(?<![\w.\-)\]/:*@'\"])/{NAME}(?:/{NAME})*+(?!\s*[(:\[/]|[\w.\-])")
_PLACEHOLDER = re.compile(r"_p(\d+)_\Z")


def split_paths(expr: str) -> tuple[str, list[str]]:
    """The template of `expr` and its paths, in order (no paths: the text itself)."""
    paths: list[str] = []

    def placeholder(match: re.Match[str]) -> str:
        paths.append(match.group())
        return f"/_p{len(paths) - 1}_"

    return _ABSOLUTE.sub(placeholder, expr), paths


def fill(tree: ast.Expr, paths: list[str]) -> ast.Expr | None:
    """`tree` with each placeholder path replaced; None unless each one came back as a
    whole absolute path (not a relative step, not inside a string literal)."""
    used = [0] * len(paths)
    filled = _fill(tree, paths, used)
    return filled if all(n == 1 for n in used) else None


def _fill(expr: ast.Expr, paths: list[str], used: list[int]) -> ast.Expr:
    if isinstance(expr, ast.Path):
        if expr.absolute and len(expr.steps) == 1:
            index = _index(expr.steps[0], len(paths))
            if index is not None:
                used[index] += 1
                names = paths[index][1:].split("/")
                return ast.Path(True, tuple(ast.Step("child", name) for name in names))
        return ast.Path(expr.absolute, _steps(expr.steps, paths, used))
    if isinstance(expr, ast.Binary):
        return ast.Binary(expr.op, _fill(expr.left, paths, used), _fill(expr.right, paths, used))
    if isinstance(expr, ast.Call):
        return ast.Call(expr.name, tuple(_fill(a, paths, used) for a in expr.args))
    if isinstance(expr, ast.Filter):
        return ast.Filter(
            _fill(expr.primary, paths, used),
            tuple(_fill(p, paths, used) for p in expr.predicates),
            _steps(expr.steps, paths, used),
        )
    if isinstance(expr, ast.Negate):
        return ast.Negate(_fill(expr.operand, paths, used))
    return expr


def _index(step: ast.Step, count: int) -> int | None:
    if step.axis != "child" or step.predicates:
        return None
    match = _PLACEHOLDER.match(step.test)
    if match is None or int(match[1]) >= count:
        return None
    return int(match[1])


def _steps(steps: tuple[ast.Step, ...], paths: list[str], used: list[int]) -> tuple[ast.Step, ...]:
    if not any(s.predicates for s in steps):
        return steps
    return tuple(
        ast.Step(s.axis, s.test, tuple(_fill(p, paths, used) for p in s.predicates))
        if s.predicates
        else s
        for s in steps
    )

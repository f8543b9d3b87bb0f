"""Expressions that differ only in their absolute paths share one parse.

A form's expressions repeat a few shapes with different fields: ` /data/g/q7  != ''`,
`coalesce( /data/g/q8 , 0) + 1`. `split_paths` replaces each absolute plain path with a
numbered placeholder step (`/_p0_`); the template is parsed once per shape and turned
into a `Builder` that makes the tree for any list of paths, sharing the parts without
placeholders. A template whose placeholders do not all come back as whole absolute
paths (the slash was a step separator, `a /b`; a path inside a string literal) has no
builder, and the caller parses the text itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from forms.xpath import ast
from forms.xpath.tokens import NAME

Builder = Callable[[Sequence[ast.Path]], ast.Expr]

_ABSOLUTE = re.compile(rf"(?<![\w.\-)\]/:*@'\"])/{NAME}(?:/{NAME})*+(?!\s*[(:\[/]|[\w.\-])")
_PLACEHOLDER = re.compile(r"_p(\d+)_\Z")


def split_paths(expr: str) -> tuple[str, list[str]]:
    """The template of `expr` and its paths, in order (no paths: the text itself)."""
    paths: list[str] = []

    def placeholder(match: re.Match[str]) -> str:
        paths.append(match.group())
        return f"/_p{len(paths) - 1}_"

    return _ABSOLUTE.sub(placeholder, expr), paths


def builder_of(template: ast.Expr, count: int) -> Builder | None:
    """The builder of a parsed template with `count` placeholders; None unless each
    placeholder is a whole absolute path exactly once."""
    used: list[int] = []
    build = _build(template, used)
    if sorted(used) != list(range(count)):
        return None
    if build is None:
        return lambda paths: template
    return build


def _build(expr: ast.Expr, used: list[int]) -> Builder | None:
    """None when `expr` holds no placeholder (it is used as it is)."""
    if isinstance(expr, ast.Path):
        if expr.absolute and len(expr.steps) == 1:
            index = _index(expr.steps[0])
            if index is not None:
                used.append(index)
                return lambda paths: paths[index]
        return _path(expr, used)
    if isinstance(expr, ast.Binary):
        return _binary(expr, used)
    if isinstance(expr, ast.Call):
        return _call(expr, used)
    if isinstance(expr, ast.Filter):
        return _filter(expr, used)
    if isinstance(expr, ast.Negate):
        inner = _build(expr.operand, used)
        if inner is None:
            return None
        return lambda paths: ast.Negate(inner(paths))
    return None


def _binary(expr: ast.Binary, used: list[int]) -> Builder | None:
    left, right = _build(expr.left, used), _build(expr.right, used)
    if left is None and right is None:
        return None
    op, fixed_left, fixed_right = expr.op, expr.left, expr.right
    return lambda paths: ast.Binary(
        op,
        left(paths) if left is not None else fixed_left,
        right(paths) if right is not None else fixed_right,
    )


def _call(expr: ast.Call, used: list[int]) -> Builder | None:
    args = _each(expr.args, used)
    if args is None:
        return None
    name = expr.name
    return lambda paths: ast.Call(name, args(paths))


def _filter(expr: ast.Filter, used: list[int]) -> Builder | None:
    primary = _build(expr.primary, used)
    predicates = _each(expr.predicates, used)
    steps = _steps(expr.steps, used)
    if primary is None and predicates is None and steps is None:
        return None
    fixed = expr
    return lambda paths: ast.Filter(
        primary(paths) if primary is not None else fixed.primary,
        predicates(paths) if predicates is not None else fixed.predicates,
        steps(paths) if steps is not None else fixed.steps,
    )


def _path(expr: ast.Path, used: list[int]) -> Builder | None:
    steps = _steps(expr.steps, used)
    if steps is None:
        return None
    absolute = expr.absolute
    return lambda paths: ast.Path(absolute, steps(paths))


def _steps(
    steps: tuple[ast.Step, ...], used: list[int]
) -> Callable[[Sequence[ast.Path]], tuple[ast.Step, ...]] | None:
    builders = [_each(step.predicates, used) for step in steps]
    if all(b is None for b in builders):
        return None
    pairs = list(zip(steps, builders, strict=True))
    return lambda paths: tuple(
        ast.Step(s.axis, s.test, b(paths)) if b is not None else s for s, b in pairs
    )


def _each(
    exprs: tuple[ast.Expr, ...], used: list[int]
) -> Callable[[Sequence[ast.Path]], tuple[ast.Expr, ...]] | None:
    builders = [_build(e, used) for e in exprs]
    if all(b is None for b in builders):
        return None
    pairs = list(zip(exprs, builders, strict=True))
    return lambda paths: tuple(b(paths) if b is not None else e for e, b in pairs)


def _index(step: ast.Step) -> int | None:
    if step.axis != "child" or step.predicates:
        return None
    match = _PLACEHOLDER.match(step.test)
    return int(match[1]) if match is not None else None

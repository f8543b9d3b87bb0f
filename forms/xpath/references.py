"""The paths an expression reads, for the session's dependency graph.

Paths come back as text without predicates: absolute (`/data/hh/member/age`),
relative to the context node (`../x`, `.`), relative to `current()`
(`current()/../x`) or into a secondary instance (`instance('districts')/root/item/name`).
A path inside a predicate is joined to the step it filters, so
`/data/rep[age > 5]/name` reads `/data/rep/name` and `/data/rep/age`.
"""

from __future__ import annotations

import re
from functools import lru_cache

from forms.errors import FormError
from forms.xpath import ast
from forms.xpath.parser import has_template, on_clear_caches, parse

_READS_CONTEXT = frozenset({"string", "number", "string-length", "normalize-space", "name"})
"""Functions that read the context node when called without arguments."""


def references(expr: str | ast.Expr) -> set[str]:
    tree = parse(expr) if isinstance(expr, str) else expr
    found: set[str] = set()
    _collect(tree, found)
    return found


def references_of(text: str, tree: ast.Expr) -> set[str]:
    """`references(tree)` of the expression `text`, worked out once per shape: expressions
    that differ only in their absolute paths (one parse template) read the same relative
    paths, and each its own absolute paths where the template has placeholders."""
    split = has_template(text)
    shaped = _shape_references(split[0]) if split is not None else None
    if split is None or shaped is None:
        return references(tree)
    paths = split[1]
    return {paths[index] if index is not None else ref for ref, index in shaped}


_PLACEHOLDER_READ = re.compile(r"/_p(\d+)_\Z")
_PLACEHOLDER_ANY = re.compile(r"/_p(\d+)_")


@lru_cache(maxsize=1024)
def _shape_references(template: str) -> tuple[tuple[str, int | None], ...] | None:
    """The template's reads, a placeholder read as its path index; None when a placeholder
    is read as part of a longer path (then the expression's own tree is walked)."""
    try:
        found = references(parse(template))
    except FormError:
        return None
    shaped: list[tuple[str, int | None]] = []
    for ref in sorted(found):
        match = _PLACEHOLDER_READ.match(ref)
        if match is not None:
            shaped.append((ref, int(match[1])))
        elif "/_p" in ref:
            return None
        else:
            shaped.append((ref, None))
    placeholders = len(set(_PLACEHOLDER_ANY.findall(template)))
    if sum(index is not None for _, index in shaped) != placeholders:
        return None  # a placeholder folded away (`(/_p0_)/..`)
    return tuple(shaped)


on_clear_caches(_shape_references.cache_clear)


def _collect(expr: ast.Expr, found: set[str]) -> None:
    pending: list[ast.Expr] = [expr]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Binary):
            pending.append(node.left)
            pending.append(node.right)
        elif isinstance(node, ast.Negate):
            pending.append(node.operand)
        elif isinstance(node, ast.Call):
            if node.name == "current":
                found.add("current()")
            elif node.name in _READS_CONTEXT and not node.args:
                found.add(".")
            elif node.name != "instance":
                pending.extend(node.args)
        elif isinstance(node, ast.Path):
            _path(["/" if node.absolute else ""], node.steps, found)
        elif isinstance(node, ast.Filter):
            base = _base(node.primary)
            if base is None:
                pending.append(node.primary)
                base = ["(…)"]
            for pred in node.predicates:
                _inside(base, pred, found)
            if base != ["(…)"]:
                _path(base, node.steps, found)


def _base(primary: ast.Expr) -> list[str] | None:
    if isinstance(primary, ast.Call) and primary.name == "current":
        return ["current()"]
    if isinstance(primary, ast.Call) and primary.name == "instance":
        arg = primary.args[0]
        if isinstance(arg, ast.String):
            return [f"instance('{arg.value}')"]
    if isinstance(primary, ast.Path) and all(not s.predicates for s in primary.steps):
        return _extend(["/" if primary.absolute else ""], primary.steps)
    return None


def _path(base: list[str], steps: tuple[ast.Step, ...], found: set[str]) -> None:
    prefix = list(base)
    for step in steps:
        prefix = _extend(prefix, (ast.Step(step.axis, step.test),))
        for pred in step.predicates:
            _inside(prefix, pred, found)
    found.add(_text(prefix))


def _inside(base: list[str], pred: ast.Expr, found: set[str]) -> None:
    """Paths read by a predicate: relative ones joined to the step they filter."""
    inner: set[str] = set()
    _collect(pred, inner)
    for path in inner:
        if path.startswith(("/", "current()", "instance(")):
            found.add(path)
        else:
            found.add(_text(_extend(list(base), parse(path).steps)))  # type: ignore[union-attr]


def _extend(parts: list[str], steps: tuple[ast.Step, ...]) -> list[str]:
    """Append steps as text segments, folding `.` and `name/..`."""
    for step in steps:
        segment = _segment(step.axis, step.test)
        if segment == ".":
            continue
        if (
            segment == ".."
            and len(parts) > 1
            and parts[-1] not in ("..", "")
            and "(" not in parts[-1]
        ):
            parts.pop()
            continue
        parts.append(segment)
    return parts


@lru_cache(maxsize=4096)
def _segment(axis: str, test: str) -> str:
    return ast.unparse(ast.Path(False, (ast.Step(axis, test),)))


def _text(parts: list[str]) -> str:
    if parts == ["/"]:
        return "/"
    if parts == [""]:
        return "."
    head, rest = parts[0], parts[1:]
    body = "/".join(rest)
    if head == "/":
        return "/" + body
    if head == "":
        return body or "."
    return head + ("/" + body if body else "")

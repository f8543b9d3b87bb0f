"""Compiles a syntax tree once into nested closures, then evaluates it against a `Context`.

Each node of the tree becomes a Python function `Context -> Value` that holds its
children's functions, so evaluating an expression is a chain of plain calls: no
dispatch on node types per evaluation. Parts of a predicate that do not depend on
the node being tested (`/data/region`, `current()/../x`, literals) are computed once
per predicate, not once per node.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from forms.errors import FormError
from forms.xpath import ast
from forms.xpath.context import Context
from forms.xpath.functions import FUNCTIONS
from forms.xpath.operators import ARITHMETIC, COMPARISONS, document_order, number
from forms.xpath.parser import parse
from forms.xpath.steps import (
    NESTING_AXES,
    NodeFilter,
    StepFn,
    apply_filters,
    compile_step,
    keep_if,
    number_filter,
)
from forms.xpath.tree import Node
from forms.xpath.values import Value, to_boolean, to_string

Compiled = Callable[[Context], Value]
_SELF = ast.Step("self", ast.NODE_TEST)


@lru_cache(maxsize=4096)
def compile_expr(expr: str) -> Compiled:
    """Parse and compile XPath text (cached); the result raises only `FormError`."""
    return guard(compile_tree(parse(expr)), expr)


def guard(fn: Compiled, expr: str) -> Compiled:
    """Turn any failure inside an evaluation into a `FormError` naming the expression."""

    def run(ctx: Context) -> Value:
        try:
            return fn(ctx)
        except FormError:
            raise
        except RecursionError:
            raise FormError.of("xpath.eval", expr=expr, detail="it is nested too deeply") from None
        except Exception as error:  # a bug or bad data must not reach the user as a traceback
            detail = str(error) or type(error).__name__
            raise FormError.of("xpath.eval", expr=expr, detail=detail) from error

    return run


def evaluate_tree(expr: ast.Expr, ctx: Context) -> Value:
    return guard(compile_tree(expr), ast.unparse(expr))(ctx)


def compile_tree(expr: ast.Expr) -> Compiled:
    if isinstance(expr, ast.Binary):
        return _binary(expr)
    if isinstance(expr, ast.Path):
        return _path(expr)
    if isinstance(expr, ast.Number | ast.String):
        constant: Value = expr.value
        return lambda ctx: constant
    if isinstance(expr, ast.Call):
        return _call(expr)
    if isinstance(expr, ast.Negate):
        operand = compile_tree(expr.operand)
        return lambda ctx: -number(operand(ctx))
    return _filter(expr)


def context_free(expr: ast.Expr) -> bool:
    """True when the value does not depend on the context node, position or size."""
    if isinstance(expr, ast.Number | ast.String):
        return True
    if isinstance(expr, ast.Path):
        return expr.absolute
    if isinstance(expr, ast.Filter):
        return context_free(expr.primary)
    if isinstance(expr, ast.Call):
        return expr.name in ("current", "instance") and all(context_free(a) for a in expr.args)
    if isinstance(expr, ast.Negate):
        return context_free(expr.operand)
    return context_free(expr.left) and context_free(expr.right)


def _binary(expr: ast.Binary) -> Compiled:
    first, rest = ast.left_chain(expr)
    head = compile_tree(first)
    ops = [(op, compile_tree(right)) for op, right in rest]
    op0, right0 = ops[0]
    if op0 in ("and", "or"):
        if len(ops) == 1 and op0 == "and":
            return lambda ctx: to_boolean(head(ctx)) and to_boolean(right0(ctx))
        if len(ops) == 1:
            return lambda ctx: to_boolean(head(ctx)) or to_boolean(right0(ctx))
        parts = [head, *(fn for _, fn in ops)]
        if op0 == "and":
            return lambda ctx: all(to_boolean(p(ctx)) for p in parts)
        return lambda ctx: any(to_boolean(p(ctx)) for p in parts)
    if op0 in ARITHMETIC:
        if len(ops) == 1:
            arith = ARITHMETIC[op0]
            return lambda ctx: arith(number(head(ctx)), number(right0(ctx)))
        steps = [(ARITHMETIC[op], fn) for op, fn in ops]

        def chain(ctx: Context) -> Value:
            total = number(head(ctx))
            for apply, fn in steps:
                total = apply(total, number(fn(ctx)))
            return total

        return chain
    if op0 == "|":
        parts = [head, *(fn for _, fn in ops)]

        def union(ctx: Context) -> Value:
            nodes: list[Node] = []
            for p in parts:
                nodes.extend(_nodes(p(ctx), "|"))
            return document_order(nodes)

        return union
    if len(ops) == 1:
        compare = COMPARISONS[op0]
        return lambda ctx: compare(head(ctx), right0(ctx))
    tests = [(COMPARISONS[op], fn) for op, fn in ops]

    def comparisons(ctx: Context) -> Value:
        value: Value = head(ctx)
        for test, fn in tests:
            value = test(value, fn(ctx))
        return value

    return comparisons


def _nodes(value: Value, where: str) -> list[Node]:
    if isinstance(value, list):
        return value
    raise FormError.of(
        "xpath.eval", expr=where, detail=f"{to_string(value)!r} is a value, not a list of nodes"
    )


def _call(expr: ast.Call) -> Compiled:
    if expr.name == "current":
        return lambda ctx: [ctx.current]
    args = [compile_tree(a) for a in expr.args]
    if expr.name == "instance":
        arg = args[0]

        def instance(ctx: Context) -> Value:
            name = to_string(arg(ctx))
            doc = ctx.instances.get(name)
            if doc is None:
                raise FormError.of("xpath.unknown_instance", id=name)
            return [doc]

        return instance
    impl = FUNCTIONS[expr.name].impl
    if not args:
        return lambda ctx: impl(ctx, [])
    if len(args) == 1:
        only = args[0]
        return lambda ctx: impl(ctx, [only(ctx)])
    return lambda ctx: impl(ctx, [a(ctx) for a in args])


def _predicate(expr: ast.Expr) -> NodeFilter:
    if isinstance(expr, ast.Number):
        return number_filter(expr.value)
    if isinstance(expr, ast.Binary) and expr.op in COMPARISONS:
        compare = COMPARISONS[expr.op]
        if context_free(expr.right) and not context_free(expr.left):
            return _hoisted(expr.left, compile_tree(expr.right), compare)
        if context_free(expr.left) and not context_free(expr.right):
            flipped = compare
            return _hoisted(expr.right, compile_tree(expr.left), lambda a, b: flipped(b, a))
    return keep_if(compile_tree(expr))


def _hoisted(
    side: ast.Expr, fixed: Compiled, compare: Callable[[Value, Value], bool]
) -> NodeFilter:
    """`[name = /data/x]`: the fixed side once, the varying side per node (read
    directly when it is one child's name, as in `[cover = 'bare']`)."""
    names = _child_names(side.steps) if isinstance(side, ast.Path) and not side.absolute else None
    if names is not None and len(names) == 1 and names[0] is not None:
        name = names[0]

        def by_child(nodes: list[Node], ctx: Context) -> list[Node]:
            constant = fixed(ctx)
            return [
                node
                for node in nodes
                if compare([c for c in node.children if c.name == name], constant)
            ]

        return by_child
    varying = compile_tree(side)

    def apply(nodes: list[Node], ctx: Context) -> list[Node]:
        constant = fixed(ctx)
        sub = ctx.at(nodes[0], 1, len(nodes))
        kept: list[Node] = []
        for i, node in enumerate(nodes, 1):
            sub.node = node
            sub.position = i
            if compare(varying(sub), constant):
                kept.append(node)
        return kept

    return apply


def _steps(steps: tuple[ast.Step, ...], ordered: bool, absolute: bool = False) -> list[StepFn]:
    fns: list[StepFn] = []
    for step in steps:
        fn = compile_step(step, [_predicate(p) for p in step.predicates], ordered)
        if absolute and step.axis == "child" and not step.predicates:
            fn = _contextualized(fn)
        fns.append(fn)
        ordered = ordered and step.axis not in NESTING_AXES
        absolute = absolute and step.axis == "child"
    return fns


def _contextualized(fn: StepFn) -> StepFn:
    def run(nodes: list[Node], ctx: Context) -> list[Node]:
        found = fn(nodes, ctx)
        return in_current_instance(found, ctx.current) if len(found) > 1 else found

    return run


def in_current_instance(nodes: list[Node], current: Node) -> list[Node]:
    """ODK XForms: an absolute path evaluated for a node inside repeat instances means,
    where it crosses one of those repeats, the instance that holds the node (JavaRosa
    contextualizes absolute references): `/data/member/age` for `/data/member[2]/x` is
    `/data/member[2]/age`. `nodes` are one step's results; the ancestor of `current`
    among them, if any, is the only one kept."""
    ids = {id(n) for n in nodes}
    walk: Node | None = current
    while walk is not None:
        if id(walk) in ids:
            return [walk]
        walk = walk.parent
    return nodes


def _run_steps(nodes: list[Node], fns: list[StepFn], ctx: Context) -> list[Node]:
    for fn in fns:
        if not nodes:
            break
        nodes = fn(nodes, ctx)
    return nodes


def _path(expr: ast.Path) -> Compiled:
    if expr.steps == (_SELF,):
        return lambda ctx: [ctx.node]
    names = _child_names(expr.steps)
    if names is not None:
        return _child_walk(names, expr.absolute)
    fns = _steps(expr.steps, True, expr.absolute)
    if expr.absolute:
        return lambda ctx: _run_steps([ctx.main], fns, ctx)
    return lambda ctx: _run_steps([ctx.node], fns, ctx)


def _child_names(steps: tuple[ast.Step, ...]) -> list[str | None] | None:
    """`/data/a/b`, `../x`: plain child steps (None for `..`), else None."""
    names: list[str | None] = []
    for step in steps:
        if step.predicates:
            return None
        if step.axis == "child" and step.test != ast.NODE_TEST and "*" not in step.test:
            names.append(step.test.rpartition(":")[2])
        elif step.axis == "parent" and step.test == ast.NODE_TEST and not any(names):
            names.append(None)
        else:
            return None
    return names


def _child_walk(names: list[str | None], absolute: bool) -> Compiled:
    def walk(ctx: Context) -> Value:
        nodes = [ctx.main if absolute else ctx.node]
        for name in names:
            if name is None:
                parent = nodes[0].parent
                nodes = [] if parent is None else [parent]
            elif len(nodes) == 1:
                nodes = [c for c in nodes[0].children if c.name == name]
            else:
                nodes = [c for n in nodes for c in n.children if c.name == name]
            if not nodes:
                break
            if absolute and len(nodes) > 1:
                nodes = in_current_instance(nodes, ctx.current)
        return nodes

    return walk


def _filter(expr: ast.Filter) -> Compiled:
    primary = compile_tree(expr.primary)
    filters = [_predicate(p) for p in expr.predicates]
    ordered = isinstance(expr.primary, ast.Call) and expr.primary.name in ("current", "instance")
    fns = _steps(expr.steps, ordered)
    where = ast.unparse(expr.primary)

    def run(ctx: Context) -> Value:
        nodes = _nodes(primary(ctx), where)
        return _run_steps(apply_filters(nodes, filters, ctx), fns, ctx)

    return run

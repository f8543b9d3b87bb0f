"""Recursive-descent parser for XPath 1.0 as ODK XForms use it.

Binary operators go through precedence climbing (`or` < `and` < equality <
relational < additive < multiplicative), then unary minus, union, paths. Every
recursive entry (parenthesis, predicate, argument list, right operand, minus
sign) counts towards `MAX_DEPTH`, so hostile input fails with `xpath.too_deep`
long before Python's own recursion limit. Function names and argument counts are
checked against the function registry here, when a form is read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from forms.errors import FormError
from forms.xpath import ast
from forms.xpath.functions import lookup
from forms.xpath.path_templates import Builder, builder_of, split_paths
from forms.xpath.tokens import NAME, Token, syntax_error, tokenize

MAX_DEPTH = 100
MAX_LENGTH = 32_768
BUILTINS: dict[str, int] = {"current": 0, "instance": 1}
"""Functions the evaluator itself implements (they reach into the context), with their arity."""

_CLIMBING = {op: level for op, level in ast.PRECEDENCE.items() if op != "|"}
_NODE_TYPES = frozenset({"node"})
_STEP_STARTS = frozenset({"@", ".", ".."})
_AFTER_NAME = frozenset({"(", "::", "["})
"""What makes a name more than a plain child step: a node type test, an axis, predicates."""


@lru_cache(maxsize=4096)
def parse(expr: str) -> ast.Expr:
    """Parse XPath text into a syntax tree; errors are `FormError`s (`xpath.*` codes)."""
    if len(expr) > MAX_LENGTH:
        raise FormError.of("xpath.too_long", length=len(expr), limit=MAX_LENGTH)
    plain = expr.strip()  # pyxform writes `${q}` as ` /data/q `
    if _PLAIN_PATH.match(plain):
        return plain_path(plain)
    try:
        template, paths = split_paths(expr)
        if paths:
            filled = _from_template(template, paths)
            if filled is not None:
                return filled
        return _Parser(expr).parse()
    except RecursionError:
        raise FormError.of("xpath.too_deep", limit=MAX_DEPTH) from None


def _from_template(template: str, paths: list[str]) -> ast.Expr | None:
    build = _template_builder(template, len(paths))
    return build([plain_path(p) for p in paths]) if build is not None else None


@lru_cache(maxsize=1024)
def _template_builder(template: str, count: int) -> Builder | None:
    try:
        return builder_of(_Parser(template).parse(), count)
    except (FormError, RecursionError):
        return None  # the parser itself gives the message with its positions, or copes


_OTHER_CACHES: list[Callable[[], None]] = []


def on_clear_caches(clear: Callable[[], None]) -> None:
    """Have `clear_caches` also clear a cache kept elsewhere (by parsed template)."""
    _OTHER_CACHES.append(clear)


def clear_caches() -> None:
    """Forget every parsed expression and template (benchmarks measure cold parses)."""
    parse.cache_clear()
    _template_builder.cache_clear()
    for clear in _OTHER_CACHES:
        clear()


def has_template(expr: str) -> tuple[str, list[str]] | None:
    """`split_paths(expr)` when `parse` builds `expr` from its template, else None."""
    template, paths = split_paths(expr)
    if not paths or _template_builder(template, len(paths)) is None:
        return None
    return template, paths


_SEGMENT = rf"(?:{NAME}|\.\.|\.)"
_PLAIN_PATH = re.compile(rf"/?{_SEGMENT}(?:/{_SEGMENT})*\Z")
"""`/data/a/b`, `../x`, `.`: most expressions of a form (every ref and nodeset)."""
_PLAIN_STEPS: dict[str, ast.Step] = {
    ".": ast.Step("self", ast.NODE_TEST),
    "..": ast.Step("parent", ast.NODE_TEST),
}


def plain_path(expr: str) -> ast.Path:
    """The tree the parser would build for a plain path, without tokenizing it."""
    absolute = expr.startswith("/")
    steps: list[ast.Step] = []
    for segment in (expr[1:] if absolute else expr).split("/"):
        step = _PLAIN_STEPS.get(segment)
        if step is None:
            step = ast.Step("child", segment)
            if len(_PLAIN_STEPS) < 100_000:
                _PLAIN_STEPS[segment] = step
        steps.append(step)
    return ast.Path(absolute, tuple(steps))


class _Parser:
    def __init__(self, expr: str) -> None:
        self.expr = expr
        self.tokens = tokenize(expr)
        self.ops = [t.text if t.kind == "operator" else None for t in self.tokens]
        """Each token's operator text (None for other tokens): `at` is one lookup."""
        self.i = 0
        self.depth = 0

    # -- token helpers -------------------------------------------------------------

    def peek(self, ahead: int = 0) -> Token:
        if not ahead:
            return self.tokens[self.i]  # `next` never moves past the end token
        return self.tokens[min(self.i + ahead, len(self.tokens) - 1)]

    def next(self) -> Token:
        tok = self.tokens[self.i]
        if tok.kind != "end":
            self.i += 1
        return tok

    def at(self, text: str, ahead: int = 0) -> bool:
        if not ahead:
            return self.ops[self.i] == text
        return self.ops[min(self.i + ahead, len(self.ops) - 1)] == text

    def expect(self, text: str) -> Token:
        if not self.at(text):
            raise self.unexpected(self.peek(), f"expected '{text}'")
        return self.next()

    def unexpected(self, tok: Token, hint: str = "") -> FormError:
        what = "it ends too early" if tok.kind == "end" else f"unexpected '{tok.text}'"
        detail = what + (f" ({hint})" if hint else "")
        return syntax_error(self.expr, detail, tok.pos)

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FormError.of("xpath.too_deep", limit=MAX_DEPTH)

    # -- grammar -------------------------------------------------------------------

    def parse(self) -> ast.Expr:
        if self.peek().kind == "end":
            raise syntax_error(self.expr, "the expression is empty", 0)
        result = self.binary(1)
        if self.peek().kind != "end":
            raise self.unexpected(self.peek(), "expected an operator")
        return result

    def binary(self, min_level: int) -> ast.Expr:
        left = self.unary()
        while True:
            tok = self.peek()
            level = _CLIMBING.get(tok.text) if tok.kind == "operator" else None
            if level is None or level < min_level:
                return left
            self.next()
            self.enter()
            right = self.binary(level + 1)
            self.depth -= 1
            left = ast.Binary(tok.text, left, right)

    def unary(self) -> ast.Expr:
        if self.ops[self.i] != "-":
            return self.union()
        count = 0
        while self.at("-"):
            self.next()
            self.enter()
            count += 1
        result = self.union()
        self.depth -= count
        for _ in range(count):
            result = ast.Negate(result)
        return result

    def union(self) -> ast.Expr:
        left = self.path_expr()
        while self.ops[self.i] == "|":
            self.next()
            left = ast.Binary("|", left, self.path_expr())
        return left

    def path_expr(self) -> ast.Expr:
        tok = self.tokens[self.i]
        if tok.kind == "path":
            self.i += 1
            steps = plain_path(tok.text).steps
            if self.ops[self.i] == "[":
                steps = (*steps[:-1], ast.Step("child", steps[-1].test, self.predicates()))
            return ast.Path(True, (*steps, *self.following_steps()))
        if self.at("/"):
            self.next()
            return ast.Path(True, self.relative_steps() if self.starts_step() else ())
        if self.at("//"):
            self.next()
            return ast.Path(True, (_DESCENDANT, *self.relative_steps()))
        if self.starts_step():
            return ast.Path(False, self.relative_steps())
        primary = self.primary()
        predicates = self.predicates()
        steps = self.following_steps()
        if not predicates and not steps:
            return primary
        return ast.Filter(primary, predicates, steps)

    def starts_step(self) -> bool:
        tok = self.tokens[self.i]
        if tok.kind == "operator":
            return tok.text in _STEP_STARTS
        if tok.kind != "name":
            return False
        return not self.at("(", 1) or tok.text in _NODE_TYPES

    def following_steps(self) -> tuple[ast.Step, ...]:
        op = self.ops[self.i]
        if op != "/" and op != "//":
            return ()
        steps: list[ast.Step] = []
        while op == "/" or op == "//":
            self.i += 1
            if op == "//":
                steps.append(_DESCENDANT)
            steps.append(self.step())
            op = self.ops[self.i]
        return tuple(steps)

    def relative_steps(self) -> tuple[ast.Step, ...]:
        return (self.step(), *self.following_steps())

    def step(self) -> ast.Step:
        op = self.ops[self.i]
        if op is None:
            tok = self.tokens[self.i]
            if tok.kind == "name" and self.ops[self.i + 1] not in _AFTER_NAME:  # `name` alone
                self.i += 1
                return ast.Step("child", tok.text)
        elif op == ".":
            self.next()
            return ast.Step("self", ast.NODE_TEST, self.predicates())
        elif op == "..":
            self.next()
            return ast.Step("parent", ast.NODE_TEST, self.predicates())
        axis = "child"
        if op == "@":
            self.next()
            axis = "attribute"
        elif self.peek().kind == "name" and self.at("::", 1):
            tok = self.next()
            if tok.text not in ast.AXES:
                raise syntax_error(self.expr, f"the axis '{tok.text}' is not supported", tok.pos)
            self.next()
            axis = tok.text
        return ast.Step(axis, self.node_test(), self.predicates())

    def node_test(self) -> str:
        tok = self.next()
        if tok.kind != "name":
            raise self.unexpected(tok, "expected a name")
        if tok.text in _NODE_TYPES and self.at("("):
            self.next()
            self.expect(")")
            return ast.NODE_TEST
        return tok.text

    def predicates(self) -> tuple[ast.Expr, ...]:
        if self.ops[self.i] != "[":
            return ()
        found: list[ast.Expr] = []
        while self.at("["):
            self.next()
            self.enter()
            found.append(self.binary(1))
            self.depth -= 1
            self.expect("]")
        return tuple(found)

    def primary(self) -> ast.Expr:
        tok = self.next()
        if tok.kind == "number":
            return ast.Number(float(tok.text))
        if tok.kind == "string":
            return ast.String(tok.text)
        if tok.kind == "name" and self.at("("):
            return self.call(tok)
        if tok.kind == "operator" and tok.text == "(":
            self.enter()
            inner = self.binary(1)
            self.depth -= 1
            self.expect(")")
            return inner
        raise self.unexpected(tok, "expected a value, a path or a function")

    def call(self, name: Token) -> ast.Call:
        self.expect("(")
        self.enter()
        args: list[ast.Expr] = []
        if not self.at(")"):
            args.append(self.binary(1))
            while self.at(","):
                self.next()
                args.append(self.binary(1))
        self.depth -= 1
        self.expect(")")
        self.check_function(name.text, len(args))
        return ast.Call(name.text, tuple(args))

    def check_function(self, name: str, given: int) -> None:
        if name in BUILTINS:
            expected = str(BUILTINS[name])
            if given != BUILTINS[name]:
                raise FormError.of("xpath.arg_count", name=name, expected=expected, given=given)
            return
        function = lookup(name)
        if function is None:
            raise FormError.of("xpath.unknown_function", name=name, expr=self.expr)
        if not function.accepts(given):
            raise FormError.of("xpath.arg_count", name=name, expected=function.arity(), given=given)


_DESCENDANT = ast.Step("descendant-or-self", ast.NODE_TEST)

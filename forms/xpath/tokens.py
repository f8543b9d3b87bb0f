"""Splitting XPath text into tokens, with XPath 1.0's operator-name disambiguation.

`*`, `and`, `or`, `div` and `mod` are operators only right after an operand; elsewhere
they are name tests (`div` can be an element). A name followed by `(` is a function
call (or a node-type test such as `node()`), by `::` an axis.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from forms.errors import FormError

_NAME = r"[^\W\d][\w.\-]*+"
_TOKEN = re.compile(
    rf"""
    (?P<space>\s+)
  | (?P<number>\d+(?:\.\d*)?|\.\d+)
  | (?P<string>"[^"]*"|'[^']*')
  | (?P<qname>{_NAME}(?::(?:{_NAME}|\*))?)
  | (?P<op>//|::|\.\.|!=|<=|>=|[/()\[\],@|+\-=<>*.$:])
    """,
    re.VERBOSE,
)
OPERATOR_NAMES = frozenset({"and", "or", "div", "mod"})
_OPERAND_ENDS = frozenset({")", "]", ".", ".."})


class Token(NamedTuple):
    kind: str
    """`number`, `string`, `name`, `operator` (symbols and operator names), `end`."""
    text: str
    pos: int


def syntax_error(expr: str, detail: str, pos: int) -> FormError:
    return FormError.of("xpath.syntax", expr=expr, detail=f"{detail} at character {pos + 1}")


def tokenize(expr: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    end = len(expr)
    while pos < end:
        m = _TOKEN.match(expr, pos)
        if m is None:
            ch = expr[pos]
            if ch in "\"'":
                raise syntax_error(expr, "a text in quotes is not closed", pos)
            raise syntax_error(expr, f"unexpected character '{ch}'", pos)
        kind = m.lastgroup
        text = m.group()
        if kind == "number":
            tokens.append(Token("number", text, pos))
        elif kind == "string":
            tokens.append(Token("string", text[1:-1], pos))
        elif kind == "qname":
            is_op = text in OPERATOR_NAMES and _after_operand(tokens)
            tokens.append(Token("operator" if is_op else "name", text, pos))
        elif kind == "op":
            if text == "*" and not _after_operand(tokens):
                tokens.append(Token("name", text, pos))
            elif text in ("$", ":"):
                raise syntax_error(expr, f"unexpected '{text}' (variables are not supported)", pos)
            else:
                tokens.append(Token("operator", text, pos))
        pos = m.end()
    tokens.append(Token("end", "", end))
    return tokens


def _after_operand(tokens: list[Token]) -> bool:
    """True when the previous token ends an operand (so `*`/`div` are operators)."""
    if not tokens:
        return False
    prev = tokens[-1]
    if prev.kind == "operator":
        return prev.text in _OPERAND_ENDS
    return True

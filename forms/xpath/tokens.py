"""Splitting XPath text into tokens, with XPath 1.0's operator-name disambiguation.

`*`, `and`, `or`, `div` and `mod` are operators only right after an operand; elsewhere
they are name tests (`div` can be an element). A name followed by `(` is a function
call (or a node-type test such as `node()`), by `::` an axis.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

from forms.errors import FormError

NAME = r"[^\W\d][\w.\-]*+"
_TOKEN = re.compile(
    rf"""
    (?P<space>\s+)
  | (?P<number>\d+(?:\.\d*)?|\.\d+)
  | (?P<string>"[^"]*"|'[^']*')
  | (?P<path>/{NAME}(?:/{NAME})*+(?!\s*[(:]))
  | (?P<qname>{NAME}(?::(?:{NAME}|\*))?)
  | (?P<op>//|::|\.\.|!=|<=|>=|[/()\[\],@|+\-=<>*.$:])
    """,
    re.VERBOSE,
)
OPERATOR_NAMES = frozenset({"and", "or", "div", "mod"})
_OPERAND_ENDS = frozenset({")", "]", ".", ".."})


class Token(NamedTuple):
    kind: str
    """`number`, `string`, `name`, `operator` (symbols and operator names), `path` (a whole
    absolute path of plain child steps, `/data/g/q`: most of what forms refer to), `end`."""
    text: str
    pos: int


def syntax_error(expr: str, detail: str, pos: int) -> FormError:
    return FormError.of("xpath.syntax", expr=expr, detail=f"{detail} at character {pos + 1}")


_new_token = tuple.__new__


def tokenize(expr: str) -> list[Token]:
    """One pass of the compiled token regex (`finditer`); a gap between two matches is
    a character no token starts with. Whether the previous token ends an operand is
    kept in a local flag rather than looked up per token."""
    tokens: list[Token] = []
    append = tokens.append
    pos = 0
    after_operand = False
    for m in _TOKEN.finditer(expr):
        start = m.start()
        if start != pos:
            break
        pos = m.end()
        kind = m.lastgroup
        if kind == "space":
            continue
        text = m.group()
        if kind == "path":
            if after_operand:  # `../a/b`: the slashes separate steps of the path before
                _split_path(text, start, append)
            else:
                append(_new_token(Token, ("path", text, start)))
            after_operand = True
        elif kind == "qname":
            if after_operand and text in OPERATOR_NAMES:
                append(_new_token(Token, ("operator", text, start)))
                after_operand = False
            else:
                append(_new_token(Token, ("name", text, start)))
                after_operand = True
        elif kind == "op":
            if text == "*" and not after_operand:
                append(_new_token(Token, ("name", text, start)))
                after_operand = True
            elif text == "$" or text == ":":
                raise syntax_error(
                    expr, f"unexpected '{text}' (variables are not supported)", start
                )
            else:
                append(_new_token(Token, ("operator", text, start)))
                after_operand = text in _OPERAND_ENDS
        elif kind == "string":
            append(_new_token(Token, ("string", text[1:-1], start)))
            after_operand = True
        else:
            append(_new_token(Token, ("number", text, start)))
            after_operand = True
    if pos < len(expr):
        ch = expr[pos]
        if ch in "\"'":
            raise syntax_error(expr, "a text in quotes is not closed", pos)
        raise syntax_error(expr, f"unexpected character '{ch}'", pos)
    append(_new_token(Token, ("end", "", len(expr))))
    return tokens


def _split_path(text: str, start: int, append: Callable[[Token], None]) -> None:
    pos = start
    for name in text[1:].split("/"):
        append(_new_token(Token, ("operator", "/", pos)))
        append(_new_token(Token, ("name", name, pos + 1)))
        pos += len(name) + 1

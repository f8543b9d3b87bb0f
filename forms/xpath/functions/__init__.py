"""The ODK XPath function library: a registry of named functions with their arity.

A function receives the evaluation `Context` and its already evaluated arguments
and returns a `Value`. Modules in this package register their functions with
`@function(...)` (see `registry`); importing the package loads them all. The parser
checks names and argument counts against this registry, so a form with `foo()` fails
when it is read, naming the function, not when an enumerator reaches the question.
"""

from __future__ import annotations

from forms.xpath.functions import (  # noqa: F401  (each module registers its functions)
    dates,
    encoding,
    geo,
    host,
    logic,
    nodesets,
    numbers,
    selects,
    strings,
)
from forms.xpath.functions.registry import FUNCTIONS, Function, lookup

__all__ = ["FUNCTIONS", "Function", "lookup"]

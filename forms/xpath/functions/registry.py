"""The registry of XPath functions: each function's name, arity and implementation.

The function modules of this package register into it with `@function(...)`; the
package imports them all, so importing `forms.xpath.functions` fills the registry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from forms.xpath.context import Context
from forms.xpath.values import Value

Impl = Callable[[Context, list[Value]], Value]


@dataclass(frozen=True)
class Function:
    name: str
    impl: Impl
    min_args: int
    max_args: int | None  # None: any number

    def accepts(self, count: int) -> bool:
        return count >= self.min_args and (self.max_args is None or count <= self.max_args)

    def arity(self) -> str:
        if self.max_args == self.min_args:
            return str(self.min_args)
        if self.max_args is None:
            return f"at least {self.min_args}"
        return f"{self.min_args} to {self.max_args}"


FUNCTIONS: dict[str, Function] = {}


def function(
    name: str, min_args: int = 0, max_args: int | None = -1, *aliases: str
) -> Callable[[Impl], Impl]:
    """Register `impl` under `name` (and aliases); `max_args=-1` means exactly `min_args`."""

    def register(impl: Impl) -> Impl:
        upper = min_args if max_args == -1 else max_args
        for each in (name, *aliases):
            FUNCTIONS[each] = Function(each, impl, min_args, upper)
        return impl

    return register


def lookup(name: str) -> Function | None:
    return FUNCTIONS.get(name)

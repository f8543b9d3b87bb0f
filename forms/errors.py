"""Errors the form engine raises, each naming the place it concerns.

Messages come from the catalog in `forms.messages`, keyed by code, so tests can
assert on codes and messages can be translated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from forms.messages import render


@dataclass(frozen=True)
class Place:
    """Where a problem is: a file, a sheet/row/column, an XForm bind or element, a field."""

    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    field: str | None = None
    line: int | None = None

    def describe(self) -> str:
        parts: list[str] = []
        if self.file:
            parts.append(self.file)
        if self.sheet:
            parts.append(f"sheet '{self.sheet}'")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column '{self.column}'")
        if self.field:
            parts.append(f"field '{self.field}'")
        if self.line is not None:
            parts.append(f"line {self.line}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Problem:
    """One error or warning with its catalog code, parameters and place."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)
    place: Place = field(default_factory=Place)
    severity: str = "error"

    @property
    def message(self) -> str:
        return render(self.code, self.params)

    def __str__(self) -> str:
        where = self.place.describe()
        return f"{where}: {self.message}" if where else self.message


class FormError(Exception):
    """A form, expression or instance that cannot be used, with every problem found."""

    def __init__(self, problems: Problem | list[Problem]):
        self.problems: list[Problem] = problems if isinstance(problems, list) else [problems]
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def of(cls, code: str, place: Place | None = None, **params: Any) -> FormError:
        return cls(Problem(code, params, place or Place()))

    @property
    def code(self) -> str:
        return self.problems[0].code

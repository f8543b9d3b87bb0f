"""`migrate-data`'s check: both sides of a table read in the same order, each row turned into
the same canonical text (`migrate_tables.row_values`), counted and hashed (sha256 over the
rows in order), and the rows that differ named by their keys and columns."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sync.server.storage.migrate_tables import Table, row_values

SHOWN = 5
"""Differing keys named per table; the rest are counted."""


@dataclass
class Side:
    rows: int = 0
    digest: Any = field(default_factory=hashlib.sha256)

    @property
    def hash(self) -> str:
        return str(self.digest.hexdigest())


@dataclass
class Checked:
    """One table compared: each side's count and hash, and the keys that differ."""

    table: str
    source: Side
    target: Side
    differences: list[str]
    more: int = 0

    @property
    def same(self) -> bool:
        return not self.differences and self.source.hash == self.target.hash


def _read(
    table: Table, rows: Iterable[dict[str, Any]], side: Side
) -> Iterator[tuple[tuple[Any, ...], list[str], str]]:
    """(ordering values, column values as text, key as said) of each row, counted and
    hashed into `side`."""
    for row in rows:
        values = row_values(table, row)
        side.rows += 1
        side.digest.update(("\t".join(values) + "\n").encode("utf-8"))
        key = " / ".join(repr(row[c]) for c in table.key)
        yield tuple(row[c] for c in table.ordering), values, key


def compare(
    table: Table, source: Iterable[dict[str, Any]], target: Iterable[dict[str, Any]]
) -> Checked:
    """Walk both sides at once (each in `table.ordering`), as a merge does."""
    checked = Checked(table.name, Side(), Side(), [])
    left, right = _read(table, source, checked.source), _read(table, target, checked.target)
    a, b = next(left, None), next(right, None)
    while a is not None or b is not None:
        if a is not None and (b is None or a[0] < b[0]):
            _differ(checked, f"{a[2]} missing in the target")
            a = next(left, None)
        elif b is not None and (a is None or b[0] < a[0]):
            _differ(checked, f"{b[2]} only in the target")
            b = next(right, None)
        elif a is not None and b is not None:
            columns = [c for c, x, y in zip(table.columns, a[1], b[1], strict=True) if x != y]
            if columns:
                _differ(checked, f"{b[2]} differs in {', '.join(columns)}")
            a, b = next(left, None), next(right, None)
    return checked


def _differ(checked: Checked, what: str) -> None:
    if len(checked.differences) < SHOWN:
        checked.differences.append(what)
    else:
        checked.more += 1

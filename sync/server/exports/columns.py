"""What each column of an export table holds, for the formats that type their cells.

CSV keeps every cell as the submission wrote it; XLSX and Stata store numbers as numbers,
dates as dates, and need to know, per column, the field it comes from (its label) and the
kind of value in it. A text question's answer stays text even when it looks like a number
(a household ID `00123` must keep its zeros).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time

from sync.server.exports.schema import Field, Table

KINDS_OF_TYPES = {
    "int": "integer", "integer": "integer", "long": "integer", "short": "integer",
    "decimal": "decimal", "double": "decimal", "float": "decimal",
    "date": "date", "dateTime": "datetime", "time": "time",
}  # fmt: skip
"""XForm bind types (`xsd:` dropped) whose values are not text."""


@dataclass(frozen=True)
class Column:
    """`kind`: integer, decimal, date, datetime, time, choice (a select_one's value), number
    (an untyped calculate's: a number when written as XPath writes one) or text.
    `part`: for a column of a field that gives several (a geopoint's `Latitude`, a
    select_multiple's choice label), which part; None for the field's own column."""

    name: str
    kind: str
    field: Field | None = None
    part: str | None = None

    @property
    def label(self) -> str:
        """The variable label: the field's label, with the part it holds."""
        if self.field is None:
            return self.name
        if self.part is not None:
            return f"{self.field.label or self.field.header}: {self.part}"
        return self.field.label


def table_columns(table: Table) -> list[Column]:
    """The columns of `table`, in its order, each with the field it shows and its kind."""
    by_name: dict[str, Column] = {}
    for field in table.fields:
        by_name[field.header] = Column(field.header, _kind(field), field)
        if field.kind == "geopoint":
            for column in field.columns:
                by_name[column] = Column(column, "decimal", field, column.rsplit("-", 1)[1])
        if field.kind == "select":
            for choice, column in zip(field.choices, field.columns[1:], strict=True):
                by_name[column] = Column(column, "integer", field, choice.label)
    extra = {"SubmissionDate": "datetime"}
    return [by_name.get(c) or Column(c, extra.get(c, "text")) for c in table.columns]


def _kind(field: Field) -> str:
    if field.kind == "select1":
        return "choice"
    if field.kind in ("select", "geopoint"):
        return "text"
    kind = KINDS_OF_TYPES.get(field.datatype, "text")
    return "number" if kind == "text" and field.calculated else kind


XPATH_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?")
"""A number as XPath's string() writes it: no `+`, no spaces, no exponent, no leading zero
but the one before the point (a code `00123` computed by concat() is not one)."""


def xpath_number(text: str) -> int | float | None:
    """An untyped calculate's value as a number (ODK calculates are strings unless the form
    gives a type; a living-income total still is a figure to sum), else None."""
    if XPATH_NUMBER.fullmatch(text) is None:
        return None
    return int(text) if "." not in text else float(text)


def integer(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def decimal(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value - value == 0 else None  # NaN and infinities are not numbers here


def moment(text: str) -> datetime | None:
    """A dateTime as the device wrote it, at its own wall-clock time (spreadsheets and Stata
    have no time zones; the interview happened at the village's time)."""
    try:
        found = datetime.fromisoformat(text)
    except ValueError:
        return None
    return found.replace(tzinfo=None)


def day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def clock(text: str) -> time | None:
    try:
        return time.fromisoformat(text).replace(tzinfo=None)
    except ValueError:
        return None

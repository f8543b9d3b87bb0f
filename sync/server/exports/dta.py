"""A streaming writer of Stata 14+ `.dta` files (format 118), one row at a time.

pyreadstat writes a whole data frame, which for 100,000 households with their rosters
is more memory than a server should spend. Format 118 is fixed-width: once the number
of rows, each string column's widest value and the labels are known (a first pass
over the staged table), the rows are packed with one `struct` and written as they
come. Strings wider than 2045 bytes become strLs, kept in a temporary file until the
data section is closed. Layout: Stata's `dta_118` documentation (`help dta`).
"""

from __future__ import annotations

import struct
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import IO

MISSING = float.fromhex("0x1p1023")
"""Stata's `.` for a double."""
MAX_STR = 2045
STRL, DOUBLE = 32768, 65526
SECTIONS = (
    "map", "variable_types", "varnames", "sortlist", "formats", "value_label_names",
    "variable_labels", "characteristics", "data", "strls", "value_labels",
)  # fmt: skip


@dataclass(frozen=True)
class Column:
    """`width` is the widest value in UTF-8 bytes for a string; None for a number."""

    name: str
    label: str
    width: int | None
    value_labels: dict[int, str] | None = None

    @property
    def type_code(self) -> int:
        if self.width is None:
            return DOUBLE
        return STRL if self.width > MAX_STR else max(1, self.width)


Cell = float | str | None


def _double(cell: Cell) -> float:
    return MISSING if cell is None else float(cell)


def _text(cell: Cell) -> bytes:
    return str(cell or "").encode("utf-8")


def _fixed(text: str, size: int) -> bytes:
    """`text` in UTF-8, cut on a character boundary to fit `size - 1` bytes, null-padded."""
    data = text.encode("utf-8")
    if len(data) >= size:
        data = data[: size - 1].decode("utf-8", "ignore").encode("utf-8")
    return data.ljust(size, b"\0")


def _tag(name: str, body: bytes = b"") -> bytes:
    return f"<{name}>".encode() + body + f"</{name}>".encode()


def _format(column: Column) -> str:
    if column.width is None:
        return "%10.0g"
    return "%9s" if column.type_code == STRL else f"%{max(1, column.width)}s"


def _value_label_table(name: str, labels: dict[int, str]) -> bytes:
    values = sorted(labels)
    offsets, text = [], b""
    for value in values:
        offsets.append(len(text))
        text += labels[value].encode("utf-8")[:32000] + b"\0"
    n = len(values)
    table = struct.pack(f"<ii{n}i{n}i", n, len(text), *offsets, *values) + text
    return _tag("lbl", struct.pack("<i", len(table)) + _fixed(name, 129) + b"\0" * 3 + table)


class DtaWriter:
    """Write the header, then `add(row)` for each of `rows` rows, then `close()`.

    A row holds a `float | None` per number column (None is `.`) and a `str` per string
    column. `out` must be seekable: the map of section offsets is patched at the end.
    """

    def __init__(
        self, out: IO[bytes], columns: Sequence[Column], rows: int, label: str = ""
    ) -> None:
        self.out, self.columns, self.rows = out, list(columns), rows
        self._written = 0
        self._offsets: dict[str, int] = {}
        self._strls = tempfile.TemporaryFile()
        codes: list[str] = []
        self._encoders: list[Callable[[Cell], float | int | bytes]] = []
        for number, column in enumerate(self.columns, start=1):
            if column.width is None:
                codes.append("d")
                self._encoders.append(_double)
            elif column.type_code == STRL:
                codes.append("Q")
                self._encoders.append(self._strl_encoder(number))
            else:
                codes.append(f"{column.type_code}s")
                self._encoders.append(_text)
        self._row = struct.Struct("<" + "".join(codes))
        self._start = out.tell()
        self._write_header(label)

    def _mark(self, name: str) -> None:
        self._offsets[name] = self.out.tell() - self._start

    def _write_header(self, label: str) -> None:
        k = len(self.columns)
        stamp = datetime.now().strftime("%d %b %Y %H:%M").encode("ascii")
        label_bytes = label.encode("utf-8")[:320]
        self.out.write(
            b"<stata_dta>"
            + _tag(
                "header",
                _tag("release", b"118")
                + _tag("byteorder", b"LSF")
                + _tag("K", struct.pack("<H", k))
                + _tag("N", struct.pack("<Q", self.rows))
                + _tag("label", struct.pack("<H", len(label_bytes)) + label_bytes)
                + _tag("timestamp", struct.pack("<B", len(stamp)) + stamp),
            )
        )
        self._mark("map")
        self.out.write(_tag("map", b"\0" * 8 * 14))
        self._mark("variable_types")
        types = struct.pack(f"<{k}H", *(c.type_code for c in self.columns))
        self.out.write(_tag("variable_types", types))
        self._mark("varnames")
        self.out.write(_tag("varnames", b"".join(_fixed(c.name, 129) for c in self.columns)))
        self._mark("sortlist")
        self.out.write(_tag("sortlist", b"\0" * 2 * (k + 1)))
        self._mark("formats")
        self.out.write(_tag("formats", b"".join(_fixed(_format(c), 57) for c in self.columns)))
        self._mark("value_label_names")
        names = b"".join(_fixed(c.name if c.value_labels else "", 129) for c in self.columns)
        self.out.write(_tag("value_label_names", names))
        self._mark("variable_labels")
        labels = b"".join(_fixed(c.label[:80], 321) for c in self.columns)
        self.out.write(_tag("variable_labels", labels))
        self._mark("characteristics")
        self.out.write(_tag("characteristics"))
        self._mark("data")
        self.out.write(b"<data>")

    def _strl_encoder(self, number: int) -> Callable[[Cell], int]:
        """A strL cell holds (variable, observation); its text goes to the strls section."""

        def encode(cell: Cell) -> int:
            data = str(cell or "").encode("utf-8")
            if not data:
                return 0
            head = struct.pack("<IQBI", number, self._written, 130, len(data) + 1)
            self._strls.write(b"GSO" + head + data + b"\0")
            return number | (self._written << 16)

        return encode

    def add(self, row: Sequence[Cell]) -> None:
        self._written += 1
        self.out.write(self._row.pack(*[f(c) for f, c in zip(self._encoders, row, strict=True)]))

    def close(self) -> None:
        if self._written != self.rows:
            raise ValueError(f"{self._written} rows written, {self.rows} announced")
        self.out.write(b"</data>")
        self._mark("strls")
        self.out.write(b"<strls>")
        self._strls.seek(0)
        while chunk := self._strls.read(1 << 20):
            self.out.write(chunk)
        self._strls.close()
        self.out.write(b"</strls>")
        self._mark("value_labels")
        tables = b"".join(
            _value_label_table(c.name, c.value_labels) for c in self.columns if c.value_labels
        )
        self.out.write(_tag("value_labels", tables))
        self._mark("stata_data_close")
        self.out.write(b"</stata_dta>")
        self._mark("end")
        end = self.out.tell()
        offsets = [0, *(self._offsets[s] for s in SECTIONS), self._offsets["stata_data_close"]]
        offsets.append(self._offsets["end"])
        self.out.seek(self._start + self._offsets["map"] + len(b"<map>"))
        self.out.write(struct.pack("<14Q", *offsets))
        self.out.seek(end)


def write_dta(
    out: IO[bytes], columns: Sequence[Column], rows: Iterable[Sequence[Cell]], n: int
) -> None:
    writer = DtaWriter(out, columns, n)
    for row in rows:
        writer.add(row)
    writer.close()

"""Widths and heights of the cells of a repeat table.

A table is a grid of fixed-width cells: its first column stays in place while the others scroll
sideways, so a row's height must be known before it is drawn (the two parts are laid out
apart). A row is as tall as its tallest cell: text is wrapped word by word at a width per
character that errs on the wide side (digits and capitals), so a cell is at worst a little
taller than its text, never clipped. Headings wrap over up to HEAD_LINES lines; the full
label is the heading's tooltip.
"""

from __future__ import annotations

from collections.abc import Sequence

from sync.server.review.render import FILE_KINDS
from sync.server.supervisor_ui.media import SMALL
from sync.server.supervisor_ui.widgets import TAP

WIDTHS = {"text": 170, "geopoint": 190, "repeat": 110}
FILE_WIDTH = 280
"""Column widths (px) by column kind (`Table.column_kinds`); file columns are FILE_WIDTH."""
ROW_WIDTH = 190
"""The width of the column naming each row of a nested table (`Plot 2 › Harvest season 1`)."""
CHAR = 8.2
"""Pixels a character may take at the cells' 15 px font."""
LINE = 21
PAD = 8
"""Pixels of a text line, and of padding around a cell's content."""
HEAD_LINES = 3
MARK = 28
"""The width a warning mark takes before a geopoint's text."""


def width(kind: str) -> int:
    return FILE_WIDTH if kind in FILE_KINDS else WIDTHS.get(kind, WIDTHS["text"])


def lines(value: str, room: float) -> int:
    """Lines `value` takes wrapped at word boundaries in `room` pixels (a word longer than a
    line is broken, as Flutter does)."""
    per = max(1, int(room // CHAR))
    count = 0
    for paragraph in value.split("\n") or [""]:
        count += 1
        used = 0
        for word in paragraph.split():
            need = len(word) + (1 if used else 0)
            if used and used + need > per:
                count += 1
                used = 0
                need = len(word)
            count += (used + need - 1) // per
            used = (used + need - 1) % per + 1
    return max(count, 1)


def text_height(value: str, room: float) -> int:
    return lines(value, room) * LINE + 2 * PAD


def head_height(heads: Sequence[str], widths: Sequence[int]) -> int:
    tallest = max((lines(h, w - 2 * PAD) for h, w in zip(heads, widths, strict=True)), default=1)
    return min(tallest, HEAD_LINES) * LINE + 2 * PAD


def cell_height(kind: str, said: str, *, file: str | None = None, marked: bool = False) -> int:
    """The height of a cell of `kind` that reads `said`. A file cell (`file` is `image` for a
    photo's preview, `download` for a file's name over its download button, `missing` for a
    file not received) has its comment button (TAP wide) beside the file; a `marked`
    geopoint has its warning mark before the text."""
    room = width(kind) - 2 * PAD
    if file == "image":
        return max(round(SMALL * 3 / 4), TAP) + 2 * PAD
    if file is not None:
        return text_height(said, room - TAP) + (TAP if file == "download" else 0)
    return max(text_height(said, room - (MARK if marked else 0)), TAP)

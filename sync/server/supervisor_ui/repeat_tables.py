"""Repeat tables in the submission view: one row per instance, a table below it for each repeat
inside it (every row saying where it sits, "Plot 2 › Harvest season 1"), files shown in the
cells of file questions only, and geopoints as "lat, lon (±acc m)" with the GPS block's
warning mark when the review found something wrong with them.

A table is a grid of fixed-width cells (`cell_sizes`), not a DataTable: at a tablet's width a
DataTable squeezed its headings over each other, clipped its cells and put its accessibility
cells beside the drawn ones. Here the first column stays put while the others scroll sideways,
a heading wraps (its full label is its tooltip, shown on a long press), a row is as tall as its
content, and each cell's accessibility node is the cell as drawn: a button named by its place
and value ("Household member 2 › Relation: Spouse"). Tapping it opens a comment on that one
answer (`/data/plot[2]/season[1]/harvest_kg`), which the device shows on the question of that
row when the submission goes back for correction; a file cell has its own comment button, as
tapping its photo opens the photo."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import flet as ft

from sync.server.review.render import FILE_KINDS
from sync.server.supervisor_ui.cell_sizes import (
    HEAD_LINES,
    ROW_WIDTH,
    cell_height,
    head_height,
    width,
)
from sync.server.supervisor_ui.comments import CommentBook
from sync.server.supervisor_ui.gps_map import WARN
from sync.server.supervisor_ui.media import Attachments
from sync.server.supervisor_ui.widgets import TAP, text

ROW = "Row"
"""The heading of a nested table's first column, which names each row's place."""
TAP_TO_COMMENT = "Tap an answer in the table to comment on it."
TABLE_ROWS = 50
"""Rows of a repeat table drawn when the submission opens; more come on request, so a roster
of a thousand rows (and its photos) does not stall the screen."""
LINES = ft.Colors.GREY_400
HEAD = ft.Colors.GREY_200

Opener = Callable[[str, str], Any]
"""Opens (or returns to) the comment field of one cell: (the cell's ref, its place)."""


def repeat_tables(
    table: dict[str, Any],
    files: Attachments,
    points: dict[str, dict[str, Any]],
    comments: CommentBook | None = None,
    *,
    nested: bool = False,
) -> list[ft.Control]:
    """The table under its label, then the tables of the repeats inside it, depth first.
    `points` are the review's checked geopoints of repeat cells, by the cell's ref. Given
    `comments`, each answer in a table can be tapped for a comment field below the table."""
    notes = ft.Column(spacing=4)
    opener = None if comments is None else partial(_comment_on, comments, notes)
    drawn, more = _grid(table, files, points, nested, opener)
    shown: list[ft.Control] = [text(table["label"], bold=True), drawn, *more]
    if opener is not None and table["rows"]:
        shown += [text(TAP_TO_COMMENT, size=13), notes]
    for inner in table["nested"]:
        shown += repeat_tables(inner, files, points, comments, nested=True)
    return shown


def cell_places(table: dict[str, Any]) -> dict[str, str]:
    """Each answer cell's ref, in this table and the ones inside it, with its place for a
    reader: `Plot 2 › Harvest season 1 › Harvest (kg)`."""
    places: dict[str, str] = {}
    heads, kinds = table["columns"], table["column_kinds"]
    rest = [r[len(table["ref"]) :] for r in table["column_refs"]]
    for row_ref, label in zip(table["row_refs"], table["row_labels"], strict=True):
        for head, kind, tail in zip(heads, kinds, rest, strict=True):
            if kind != "repeat":  # a nested repeat's count is no answer; its cells are below
                places[row_ref + tail] = f"{label} › {head}"
    for inner in table["nested"]:
        places |= cell_places(inner)
    return places


def _comment_on(comments: CommentBook, notes: ft.Column, ref: str, place: str) -> None:
    """A comment field for the cell under its table, taking the keyboard; one per cell."""
    if ref not in comments.fields:
        notes.controls.append(comments.field(ref, f"Comment on {place}"))
        notes.update()


@dataclass(frozen=True)
class _Cell:
    """What a cell holds and how tall it must be; a cell that can be commented on has the
    action that opens its comment and the name it is read out (and found) by."""

    content: ft.Control
    height: int
    tap: Callable[[], Any] | None = None
    name: str = ""


def _box(
    cell: _Cell, wide: int, high: int, colour: str | None = None
) -> ft.Container | ft.Semantics:
    """The drawn cell: `wide` x `high`, tappable as a whole when it has an action, and then
    one accessibility node of exactly that size."""
    tap = cell.tap
    box = ft.Container(
        content=cell.content,
        width=wide,
        height=high,
        padding=8,
        bgcolor=colour,
        border=ft.Border.all(0.5, LINES),
        alignment=ft.Alignment.TOP_LEFT,
        on_click=None if tap is None else lambda _e: tap(),
        ink=tap is not None,
    )
    if tap is None:
        return box
    return ft.Semantics(content=box, label=cell.name, button=True, exclude_semantics=True)


class _Grid:
    """The drawn table: headings and rows in two parts, the first column and the rest."""

    def __init__(self, heads: list[str], widths: list[int]) -> None:
        self.widths = widths
        high = head_height(heads, widths)
        cells: list[ft.Control] = [
            _box(_Cell(ft.Text(h, size=14, weight=ft.FontWeight.BOLD, max_lines=HEAD_LINES,
                               overflow=ft.TextOverflow.ELLIPSIS, tooltip=h), high), w, high, HEAD)
            for h, w in zip(heads, widths, strict=True)
        ]  # fmt: skip
        self.first = ft.Column([cells[0]], spacing=0)
        self.rest = ft.Column([ft.Row(cells[1:], spacing=0)], spacing=0)
        scroller = ft.Row([self.rest], scroll=ft.ScrollMode.AUTO, expand=True)
        self.drawn = ft.Row(
            [self.first, scroller], spacing=0, vertical_alignment=ft.CrossAxisAlignment.START
        )

    @property
    def rows(self) -> int:
        return len(self.first.controls) - 1

    def add(self, cells: list[_Cell]) -> None:
        """A row of cells, all as tall as the tallest."""
        high = max(c.height for c in cells)
        boxes: list[ft.Control] = [
            _box(c, w, high) for c, w in zip(cells, self.widths, strict=True)
        ]
        self.first.controls.append(boxes[0])
        self.rest.controls.append(ft.Row(boxes[1:], spacing=0))


def _grid(
    table: dict[str, Any],
    files: Attachments,
    points: dict[str, dict[str, Any]],
    nested: bool,
    opener: Opener | None,
) -> tuple[ft.Control, list[ft.Control]]:
    """The table with its first TABLE_ROWS rows, and a button drawing the next ones when there
    are more (none when there are not)."""
    kinds, rest = table["column_kinds"], [r[len(table["ref"]) :] for r in table["column_refs"]]
    places = cell_places({**table, "nested": []})
    every = list(zip(table["rows"], table["row_refs"], table["row_labels"], strict=True))
    widths = ([ROW_WIDTH] if nested else []) + [width(k) for k in kinds]
    grid = _Grid(([ROW] if nested else []) + table["columns"], widths)

    def draw(start: int) -> None:
        for values, row_ref, label in every[start : start + TABLE_ROWS]:
            cells = [_Cell(text(label), cell_height("text", label))] if nested else []
            for value, kind, tail in zip(values, kinds, rest, strict=True):
                ref = row_ref + tail
                tap = (
                    None
                    if opener is None or ref not in places
                    else partial(opener, ref, places[ref])
                )
                cells.append(_cell(value, kind, points.get(ref), files, places.get(ref), tap))
            grid.add(cells)

    draw(0)
    if len(every) <= TABLE_ROWS:
        return grid.drawn, []
    for values in table["rows"][TABLE_ROWS:]:
        for value, kind in zip(values, kinds, strict=True):
            if kind in FILE_KINDS and value:
                files.claim(value)
    first = _more_label(TABLE_ROWS, len(every))
    more = ft.Button(content=first, tooltip=first, height=TAP)

    def draw_more() -> None:
        draw(grid.rows)
        files.load()
        more.content = more.tooltip = _more_label(grid.rows, len(every))
        more.visible = grid.rows < len(every)
        grid.drawn.update()
        more.update()

    more.on_click = lambda _e: draw_more()
    return grid.drawn, [more]


def _more_label(shown: int, total: int) -> str:
    return f"Show {min(TABLE_ROWS, total - shown)} more rows ({shown} of {total} shown)"


def _cell(
    value: str,
    kind: str,
    point: dict[str, Any] | None,
    files: Attachments,
    place: str | None,
    tap: Callable[[], Any] | None,
) -> _Cell:
    """A cell's content and height. An answer that can be commented on is a button named by
    its place and what it reads; a file cell's comment is a button of its own."""
    if kind in FILE_KINDS and value:
        info = files.files.get(value)
        if info is None or not info["received"]:
            what, said = "missing", f"{value} (not received yet)"
        else:
            what, said = ("image" if info["image"] else "download"), value
        shown = files.show(value, small=True)
        if tap is not None:
            label = f"Comment on {place}"
            icon = ft.IconButton(
                ft.Icons.COMMENT_OUTLINED, tooltip=label, on_click=lambda _e: tap()
            )
            named = ft.Semantics(content=icon, label=label, button=True, exclude_semantics=True)
            file = ft.Container(shown, expand=True, alignment=ft.Alignment.TOP_LEFT)
            shown = ft.Row([file, named], spacing=0,
                           vertical_alignment=ft.CrossAxisAlignment.START)  # fmt: skip
        return _Cell(shown, cell_height(kind, said, file=what))
    marked = kind == "geopoint" and point is not None and bool(point["warnings"])
    content = gps_cell(point) if kind == "geopoint" and point is not None else text(value)
    said = gps_text(point) if kind == "geopoint" and point is not None else value
    high = cell_height(kind, said, marked=marked)
    if tap is None:
        return _Cell(content, high)
    warning = "Warning: " + "; ".join(point["warnings"]) + " " if marked and point else ""
    return _Cell(content, high, tap, f"{place}: {warning}{said}")


def gps_text(point: dict[str, Any]) -> str:
    """`lat, lon (±acc m)`."""
    accuracy = point["accuracy_m"]
    where = f"{point['latitude']:.6f}, {point['longitude']:.6f}"
    return where if accuracy is None else f"{where} (±{accuracy:g} m)"


def gps_cell(point: dict[str, Any]) -> ft.Control:
    """`lat, lon (±acc m)`; in red after a warning mark whose tooltip says what is wrong."""
    where = gps_text(point)
    if not point["warnings"]:
        return text(where)
    why = "Warning: " + "; ".join(point["warnings"])
    mark = ft.Icon(ft.Icons.WARNING_AMBER, color=WARN, tooltip=why)  # read out as its label too
    return ft.Row([mark, ft.Text(where, size=15, color=WARN, expand=True)], spacing=4)

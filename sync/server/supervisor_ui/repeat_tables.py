"""Repeat tables in the submission view: one row per instance, a table below it for each repeat
inside it (every row saying where it sits, "Plot 2 › Harvest season 1"), files shown in the
cells of file questions only, and geopoints as "lat, lon (±acc m)" with the GPS block's
warning mark when the review found something wrong with them. Tapping a cell opens a comment
on that one answer (`/data/plot[2]/season[1]/harvest_kg`), which the device shows on the
question of that row when the submission goes back for correction."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import flet as ft

from sync.server.render import FILE_KINDS
from sync.server.supervisor_ui.gps_map import WARN
from sync.server.supervisor_ui.media import SMALL, Attachments
from sync.server.supervisor_ui.widgets import counted, text

ROW = "Row"
"""The heading of a nested table's first column, which names each row's place."""
TAP_TO_COMMENT = "Tap an answer in the table to comment on it."
TABLE_ROWS = 50
"""Rows of a repeat table drawn when the submission opens; more come on request, so a roster
of a thousand rows (and its photos) does not stall the screen."""

Opener = Callable[[str, str], Any]
"""Opens (or returns to) the comment field of one cell: (the cell's ref, its place)."""


def repeat_tables(
    table: dict[str, Any],
    files: Attachments,
    points: dict[str, dict[str, Any]],
    comments: dict[str, ft.TextField] | None = None,
    *,
    nested: bool = False,
) -> list[ft.Control]:
    """The table under its label, then the tables of the repeats inside it, depth first.
    `points` are the review's checked geopoints of repeat cells, by the cell's ref. Given
    `comments`, each answer in a table can be tapped for a comment field below the table,
    added to `comments` under the cell's ref."""
    notes = ft.Column(spacing=4)
    opener = None if comments is None else partial(_comment_on, comments, notes)
    drawn, more = _data_table(table, files, points, nested, opener)
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


def _comment_on(comments: dict[str, ft.TextField], notes: ft.Column, ref: str, place: str) -> None:
    """A comment field for the cell under its table, taking the keyboard; one per cell."""
    if ref not in comments:
        comments[ref] = ft.TextField(label=f"Comment on {place}", dense=True, autofocus=True)
        notes.controls.append(counted(comments[ref]))
        notes.update()


def _data_table(
    table: dict[str, Any],
    files: Attachments,
    points: dict[str, dict[str, Any]],
    nested: bool,
    opener: Opener | None,
) -> tuple[ft.DataTable, list[ft.Control]]:
    """The table with its first TABLE_ROWS rows, and a button drawing the next ones when there
    are more (none when there are not)."""
    kinds, rest = table["column_kinds"], [r[len(table["ref"]) :] for r in table["column_refs"]]
    places = cell_places({**table, "nested": []})
    every = list(zip(table["rows"], table["row_refs"], table["row_labels"], strict=True))

    def rows_from(start: int) -> list[ft.DataRow]:
        rows = []
        for values, row_ref, label in every[start : start + TABLE_ROWS]:
            cells = [ft.DataCell(text(label))] if nested else []
            for value, kind, tail in zip(values, kinds, rest, strict=True):
                ref = row_ref + tail
                on_tap = (
                    None
                    if opener is None or ref not in places
                    else partial(opener, ref, places[ref])
                )
                cells.append(ft.DataCell(_cell(value, kind, points.get(ref), files), on_tap=on_tap))
            rows.append(ft.DataRow(cells))
        return rows

    heads = ([ROW] if nested else []) + table["columns"]
    tall = any(  # a thumbnail, or a file's name over its download button
        kind in FILE_KINDS and value
        for values in table["rows"]
        for value, kind in zip(values, kinds, strict=True)
    )
    drawn = ft.DataTable(
        columns=[ft.DataColumn(label=h) for h in heads],
        rows=rows_from(0),
        data_row_max_height=SMALL + 16 if tall else None,
    )
    if len(every) <= TABLE_ROWS:
        return drawn, []
    for values in table["rows"][TABLE_ROWS:]:
        for value, kind in zip(values, kinds, strict=True):
            if kind in FILE_KINDS and value:
                files.claim(value)
    first = _more_label(TABLE_ROWS, len(every))
    more = ft.Button(content=first, tooltip=first)

    def draw_more() -> None:
        drawn.rows = [*drawn.rows, *rows_from(len(drawn.rows))]
        files.load()
        more.content = more.tooltip = _more_label(len(drawn.rows), len(every))
        more.visible = len(drawn.rows) < len(every)
        drawn.update()
        more.update()

    more.on_click = lambda _e: draw_more()
    return drawn, [more]


def _more_label(shown: int, total: int) -> str:
    return f"Show {min(TABLE_ROWS, total - shown)} more rows ({shown} of {total} shown)"


def _cell(value: str, kind: str, point: dict[str, Any] | None, files: Attachments) -> ft.Control:
    if kind in FILE_KINDS and value:
        return files.show(value, small=True)
    if kind == "geopoint" and point is not None:
        return gps_cell(point)
    return text(value)


def gps_cell(point: dict[str, Any]) -> ft.Control:
    """`lat, lon (±acc m)`; in red after a warning mark whose tooltip says what is wrong."""
    accuracy = point["accuracy_m"]
    where = f"{point['latitude']:.6f}, {point['longitude']:.6f}"
    if accuracy is not None:
        where += f" (±{accuracy:g} m)"
    if not point["warnings"]:
        return text(where)
    why = "Warning: " + "; ".join(point["warnings"])
    mark = ft.Icon(ft.Icons.WARNING_AMBER, color=WARN, tooltip=why)  # read out as its label too
    return ft.Row([mark, text(where, color=WARN)], spacing=4, tight=True)

"""Repeat tables in the submission view: one row per instance, a table below it for each repeat
inside it (every row saying where it sits, "Plot 2 › Harvest season 1"), files shown in the
cells of file questions only, and geopoints as "lat, lon (±acc m)" with the GPS block's
warning mark when the review found something wrong with them."""

from __future__ import annotations

from typing import Any

import flet as ft

from sync.server.render import FILE_KINDS
from sync.server.supervisor_ui.gps_map import WARN
from sync.server.supervisor_ui.media import SMALL, Attachments
from sync.server.supervisor_ui.widgets import text

ROW = "Row"
"""The heading of a nested table's first column, which names each row's place."""


def repeat_tables(
    table: dict[str, Any],
    files: Attachments,
    points: dict[str, dict[str, Any]],
    *,
    nested: bool = False,
) -> list[ft.Control]:
    """The table under its label, then the tables of the repeats inside it, depth first.
    `points` are the review's checked geopoints of repeat cells, by the cell's ref."""
    shown: list[ft.Control] = [
        text(table["label"], bold=True),
        _data_table(table, files, points, nested),
    ]
    for inner in table["nested"]:
        shown += repeat_tables(inner, files, points, nested=True)
    return shown


def _data_table(
    table: dict[str, Any], files: Attachments, points: dict[str, dict[str, Any]], nested: bool
) -> ft.DataTable:
    kinds, rest = table["column_kinds"], [r[len(table["ref"]) :] for r in table["column_refs"]]
    rows = []
    for values, row_ref, label in zip(
        table["rows"], table["row_refs"], table["row_labels"], strict=True
    ):
        cells = [
            _cell(value, kind, points.get(row_ref + tail), files)
            for value, kind, tail in zip(values, kinds, rest, strict=True)
        ]
        rows.append(ft.DataRow([ft.DataCell(c) for c in ([text(label)] if nested else []) + cells]))
    heads = ([ROW] if nested else []) + table["columns"]
    tall = any(  # a thumbnail, or a file's name over its download button
        kind in FILE_KINDS and value
        for values in table["rows"]
        for value, kind in zip(values, kinds, strict=True)
    )
    return ft.DataTable(
        columns=[ft.DataColumn(label=h) for h in heads],
        rows=rows,
        data_row_max_height=SMALL + 16 if tall else None,
    )


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

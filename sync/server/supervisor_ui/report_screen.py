"""The living income report on screen, for the supervisor's district (or every district for
a coordinator or admin): per group (all households, sex of the head, region, crop, farm size)
the share below the benchmark, mean and median income against it, the gap, the FGT index and
the women-controlled share; A-WEAI adequacy per domain; the report's three charts. The server
computes it (`/api/v1/report/summary.json`); the full report, with a row per household, is
the HTML export.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flet as ft

from sync.server.report.charts import HEIGHT, WIDTH
from sync.server.report.household import DOMAINS, MAPPINGS
from sync.server.report.html import figure
from sync.server.supervisor_ui.api import ReviewApiError
from sync.server.supervisor_ui.exports_screen import ExportsApi
from sync.server.supervisor_ui.widgets import button, text

DIMENSIONS = {"all": "All households", "head_sex": "Sex of the head", "region": "Region",
              "crop": "Crop", "farm_class": "Farm size"}  # fmt: skip
GROUP_HEADS = ("By", "Group", "Households", "% below benchmark", "Mean income", "Median income",
               "Median benchmark", "Gap (medians)", "FGT1", "Women's share %")  # fmt: skip
WEAI_HEADS = ("By", "Group", "Women interviewed", *(f"{d.capitalize()} %" for d in DOMAINS),
              "% empowered")  # fmt: skip


def _named(group: dict[str, Any]) -> list[str]:
    """The group's dimension and value; the whole sample has no value to repeat."""
    return [
        DIMENSIONS.get(group["by"], group["by"]),
        "" if group["by"] == "all" else group["group"],
    ]


def group_cells(group: dict[str, Any]) -> list[str]:
    """A group's row of the main table, as the screen shows it."""
    return [
        *_named(group),
        f"{group['households']:,}",
        figure(group["share_below_pct"], 1),
        figure(group["mean_income"]),
        figure(group["median_income"]),
        figure(group["median_benchmark"]),
        figure(group["gap_median"]),
        figure(group["fgt1"], 3),
        figure(group["women_share_pct"], 1),
    ]


def weai_cells(group: dict[str, Any]) -> list[str]:
    """A group's row of the women's module table: % of women adequate in each domain."""
    return [
        *_named(group),
        f"{group['women_module']:,}",
        *(figure(group["adequacy_pct"].get(d), 0) for d in DOMAINS),
        figure(group["empowered_pct"], 0),
    ]


def _table(heads: tuple[str, ...], rows: list[list[str]]) -> ft.DataTable:
    return ft.DataTable(
        columns=[ft.DataColumn(label=h, numeric=i > 1) for i, h in enumerate(heads)],
        rows=[ft.DataRow([ft.DataCell(text(cell)) for cell in row]) for row in rows],
    )


class ReportScreen:
    """Built by the supervisor screens' `Report` button; `show(title, controls)` draws and
    `export(form)` opens the Exports screen set for the HTML report of `form`."""

    def __init__(
        self,
        api: ExportsApi,
        show: Callable[[str, list[ft.Control]], None],
        export: Callable[[str], None],
    ) -> None:
        self.api, self.show, self.export = api, show, export
        self.form: str | None = None

    def open(self) -> None:
        title = "Living income report"
        try:
            forms: list[str] = [f["form_id"] for f in self.api.forms() if f["form_id"] in MAPPINGS]
        except ReviewApiError as error:
            self.show(title, [text(str(error))])
            return
        if not forms:
            known = ", ".join(sorted(MAPPINGS))
            self.show(title, [text(f"No living income form is published on the server yet"
                                   f" (the report reads {known}).")])  # fmt: skip
            return
        form = self.form if self.form in forms else forms[0]
        self.form = form
        picks = ft.Row([button(f"Report of {f}", lambda f=f: self._pick(f))
                        for f in forms if f != form], wrap=True)  # fmt: skip
        self.show(title, [text(f"Computing the report of {form}…")])
        try:
            summary = self.api.report(form)
        except ReviewApiError as error:
            self.show(title, [picks, text(str(error))])
            return
        self.show(f"{title}: {form}", [picks, *self._body(summary)])

    def _pick(self, form: str) -> None:
        self.form = form
        self.open()

    def _body(self, summary: dict[str, Any]) -> list[ft.Control]:
        count = f"{summary['households']:,} households"
        if summary["skipped"]:
            count += f"; {summary['skipped']:,} left out (no usable benchmark or household size)"
        lines: list[ft.Control] = [
            text(count),
            button("Export as HTML, with every household", lambda: self.export(summary["form_id"])),
        ]
        if not summary["households"]:
            return lines
        groups = summary["groups"]
        lines += [
            text("Households against the living income benchmark", bold=True, size=18),
            _table(GROUP_HEADS, [group_cells(g) for g in groups]),
        ]
        women = [g for g in groups if g["women_module"]]
        if women:
            lines += [
                text("Women's empowerment: A-WEAI adequacy by domain", bold=True, size=18),
                _table(WEAI_HEADS, [weai_cells(g) for g in women]),
            ]
        for heading, svg in summary["charts"].items():
            lines += [
                text(heading, bold=True, size=18),
                ft.Image(src=svg, width=WIDTH, height=HEIGHT, semantics_label=heading),
            ]
        return lines

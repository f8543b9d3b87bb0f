"""The living income report on screen, for the supervisor's district (or every district for
a coordinator or admin): per group (all households, sex of the head, district, crop, farm
size) and benchmark, with its currency and n, the share below the benchmark, mean and median
income and the gap with their 95 % intervals, the FGT index, households with a net loss and
the women-controlled share; A-WEAI adequacy per domain, 5DE, GPI and the index; the report's
three charts. Approved submissions by default; a button adds the received ones. The server
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

DIMENSIONS = {"all": "All households", "head_sex": "Sex of the head", "district": "District",
              "crop": "Crop", "farm_class": "Farm size"}  # fmt: skip
GROUP_HEADS = ("By", "Group", "Benchmark", "Currency", "n", "% below", "Mean income",
               "Median income", "Median benchmark", "Gap %", "FGT1", "Net loss",
               "Women's share %")  # fmt: skip
LEGEND = ("Each estimate over its 95 % interval [low, high] (bootstrap over households). Gap %:"
          " the median shortfall in % of the benchmark, positive below it, negative above it."
          " Benchmarks are adjusted to each household's size (× its equivalence units ÷ the"
          " reference household's). Net loss: households with a negative net income."
          " * fewer than 30 households.")  # fmt: skip
WEAI_HEADS = ("By", "Group", "Benchmark", "Women interviewed",
              *(f"{d.capitalize()} %" for d in DOMAINS), "% empowered", "5DE", "GPI",
              "Index")  # fmt: skip
CHOICES = {"Approved only": ("approved",), "Approved and received": ("approved", "received")}
"""The populations the screen offers (the review states counted)."""


def _named(group: dict[str, Any]) -> list[str]:
    """The group's dimension, value and benchmark (its place and year, as a programme manager
    names it, not its key in benchmarks.csv); the whole sample has no value to repeat."""
    return [
        DIMENSIONS.get(group["by"], group["by"]),
        "" if group["by"] == "all" else group["group"],
        f"{group['benchmark']['place']}, {group['benchmark']['year']}",
    ]


def _ci(estimate: dict[str, Any], digits: int = 0) -> str:
    low, high = estimate["ci95"]
    return f"{figure(estimate['value'], digits)}\n[{figure(low, digits)}, {figure(high, digits)}]"


def group_cells(group: dict[str, Any]) -> list[str]:
    """A group's row of the main table, as the screen shows it."""
    return [
        *_named(group),
        group["currency"],
        f"{group['n']:,}" + ("*" if group["small"] else ""),
        _ci(group["share_below_pct"], 1),
        _ci(group["mean_income"]),
        _ci(group["median_income"]),
        figure(group["median_benchmark"]),
        _ci(group["gap_pct"], 1),
        figure(group["fgt1"], 3),
        f"{group['negative_income']:,}",
        figure(group["women_share_pct"], 1),
    ]


def weai_cells(group: dict[str, Any]) -> list[str]:
    """A group's row of the women's module table: % of women adequate in each domain, the
    5DE, the GPI and the index (A-WEAI with men's data, else "5DE (women)")."""
    w = group["weai"]
    return [
        *_named(group),
        f"{w['women']:,}",
        *(figure(w["adequacy_pct"].get(d), 0) for d in DOMAINS),
        figure(w["empowered_pct"], 0),
        figure(w["five_de"], 3),
        figure(w["gpi"], 3),
        f"{w['index_label']} {figure(w['index'], 3)}",
    ]


def _table(heads: tuple[str, ...], rows: list[list[str]]) -> ft.Row:
    """The table in a box of the screen's width that scrolls sideways, so a tablet (800 px)
    shows the first columns and the rest a swipe away, nothing past the screen's edge."""
    table = ft.DataTable(
        columns=[ft.DataColumn(label=h, numeric=i > 1) for i, h in enumerate(heads)],
        rows=[ft.DataRow([ft.DataCell(text(cell)) for cell in row]) for row in rows],
        column_spacing=16,
        data_row_max_height=72,
    )
    return ft.Row([table], scroll=ft.ScrollMode.AUTO)


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
        self.population = "Approved only"

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
        picks = ft.Row([*(button(f"Report of {f}", lambda f=f: self._pick(f))
                          for f in forms if f != form),
                        *(button(c, lambda c=c: self._population(c))
                          for c in CHOICES if c != self.population)], wrap=True)  # fmt: skip
        self.show(title, [text(f"Computing the report of {form}…")])
        try:
            summary = self.api.report(form, CHOICES[self.population])
        except ReviewApiError as error:
            self.show(title, [picks, text(str(error))])
            return
        self.show(f"{title}: {form}", [picks, *self._body(summary)])

    def _pick(self, form: str) -> None:
        self.form = form
        self.open()

    def _population(self, choice: str) -> None:
        self.population = choice
        self.open()

    def _body(self, summary: dict[str, Any]) -> list[ft.Control]:
        count = f"{summary['households']:,} households"
        if summary["skipped"]:
            count += f"; {summary['skipped']:,} left out (no usable benchmark or household size)"
        lines: list[ft.Control] = [
            text(
                f"Population: submissions {' or '.join(summary['population']['states'])},"
                " latest version of each interview only",
                bold=True,
            ),
            text(count),
            text(
                "Money: net income per household per year, in each row's currency; a group"
                " holds the households of one benchmark (place and year)."
            ),
            button("Export as HTML, with every household", lambda: self.export(summary["form_id"])),
        ]
        if not summary["households"]:
            states = " or ".join(summary["population"]["states"])
            return [*lines, text(f"Nothing to show yet: no {states} household with a benchmark"
                                 " and a household size in your districts. Approve interviews,"
                                 " or count the received ones too (the button above).")]  # fmt: skip
        groups = summary["groups"]
        (first, spread), *others = summary["charts"].items()  # the spread first, as in the HTML
        lines += [
            *_chart(first, spread),
            text("Households against the living income benchmark", bold=True, size=18),
            text(LEGEND),
            _table(GROUP_HEADS, [group_cells(g) for g in groups]),
        ]
        women = [g for g in groups if g["weai"]]
        if women:
            lines += [
                text("Women's empowerment: A-WEAI adequacy by domain", bold=True, size=18),
                _table(WEAI_HEADS, [weai_cells(g) for g in women]),
            ]
        for heading, svg in others:
            lines += _chart(heading, svg)
        return lines


def _chart(heading: str, svg: str) -> list[ft.Control]:
    return [
        text(heading, bold=True, size=18),
        ft.Image(
            src=svg, width=WIDTH, height=HEIGHT, semantics_label=heading, fit=ft.BoxFit.CONTAIN
        ),  # fmt: skip
    ]

"""The Scenarios screen: a supervisor types changes to the income drivers (price, yield, cost
in %, area in ha, other income per year) and reads, for their district's households, the share
below the living income benchmark before and after, the gap, FGT1 and the households that
cross it, per group of one dimension (all households, sex of the head, district, crop, farm
size); and what one driver alone would need to close each group's gap. The server computes it
(`POST /api/v1/report/scenarios`, scoped to the supervisor's district as the report is).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flet as ft
from pydantic import ValidationError

from sync.server.report.closing import LEVERS, UNITS, Lever
from sync.server.report.household import MAPPINGS
from sync.server.report.html import figure
from sync.server.report.scenarios import Scenario
from sync.server.report.scenarios_html import lever_said
from sync.server.supervisor_ui.api import ReviewApi, ReviewApiError
from sync.server.supervisor_ui.exports_screen import REPORT_TIMEOUT
from sync.server.supervisor_ui.report_screen import DIMENSIONS
from sync.server.supervisor_ui.widgets import button, text

FIELDS = (("price_pct", "Price change (%)"), ("yield_pct", "Yield change (%)"),
          ("cost_pct", "Cost change (%)"), ("area_ha", "Area change (ha)"),
          ("other_income", "Other income change (per year)"))  # fmt: skip
HEADS = ("Group", "Benchmark", "n", "Below now %", "Below after %", "Gap after %", "FGT1",
         "Cross (in reach)", "Fall")  # fmt: skip
FORM = next(iter(MAPPINGS))
"""The living income questionnaire, whose drivers the server knows."""
CLOSING_HEADS = ("Group", "Benchmark", "Below", *(f"{lever.replace('_', ' ').capitalize()}, {UNITS[lever]}"
                                     for lever in LEVERS))  # fmt: skip


def changes_of(values: dict[str, str]) -> tuple[dict[str, float], str | None]:
    """The typed changes as numbers, or a message naming the field that is not one (or is
    out of range: a price cut past 100 %, say)."""
    found: dict[str, float] = {}
    for name, label in FIELDS:
        typed = values.get(name, "").strip().replace(",", "").rstrip("%").strip()
        if not typed:
            continue
        try:
            found[name] = float(typed)
        except ValueError:
            return {}, f"{label}: {values[name]!r} is not a number"
    try:
        Scenario(name="typed", **found)
    except ValidationError as error:
        first = error.errors()[0]
        return {}, f"{dict(FIELDS)[str(first['loc'][0])]}: {first['msg']}"
    return found, None


def _ci(estimate: dict[str, Any]) -> str:
    low, high = estimate["ci95"]
    return f"{figure(estimate['value'], 1)} [{figure(low, 1)}, {figure(high, 1)}]"


def result_rows(answer: dict[str, Any], by: str) -> list[list[str]]:
    """A row per group of dimension `by`: the share below now and after the scenario."""
    [scenario] = answer["scenarios"]
    names = answer.get("benchmark_names", {})
    rows = []
    for now, after in zip(answer["segments"], scenario["groups"], strict=True):
        if now["by"] != by:
            continue
        rows.append([
            "All households" if by == "all" else after["group"],
            names.get(after["benchmark_id"], after["benchmark_id"]),
            f"{after['n']:,}", figure(now["share_below_pct"], 1), _ci(after["share_below_pct"]),
            _ci(after["gap_pct"]), figure(after["fgt1"], 3),
            f"{after['crossing']:,} ({after['crossing_within_reach']:,})", f"{after['falling']:,}",
        ])  # fmt: skip
    return rows


def closing_rows(answer: dict[str, Any], by: str) -> list[list[str]]:
    """A row per group of dimension `by`, named fully (group and benchmark)."""
    names = answer.get("benchmark_names", {})
    return [
        ["All households" if by == "all" else s["group"],
         names.get(s["benchmark_id"], s["benchmark_id"]), f"{s['below']:,}",
         *(lever_said(Lever.model_validate(s["closing"][name]), s["below"]) for name in LEVERS)]
        for s in answer["segments"] if s["by"] == by
    ]  # fmt: skip


def limits_text(limits: list[dict[str, Any]]) -> str:
    """The plausible limits in force, as a sentence: where none is set, a change is not
    assessed."""
    names = (("yield_max_kg_ha", "yield ≤ {} kg/ha"), ("price_max_per_kg", "price ≤ {} {}/kg"),
             ("area_max_ha", "area ≤ {} ha"), ("cost_cut_max_pct", "cost cut ≤ {} %"),
             ("other_income_max", "other income ≤ +{} {}"))  # fmt: skip
    parts = []
    for row in limits:
        said = [form.format(figure(row[k], 1 if k == "area_max_ha" else 0), row["currency"])
                for k, form in names if row.get(k) is not None]  # fmt: skip
        parts.append(f"{row['country']} {row['crop']}: {', '.join(said) or 'none'}")
    return (
        "Within reach: "
        + ("; ".join(parts) or "no limits set")
        + "; any other country and crop has no limit: its changes are not assessed (never"
        " counted as within reach)."
    )


def _table(heads: tuple[str, ...], rows: list[list[str]]) -> ft.Row:
    """A table that scrolls sideways on a narrow screen rather than squeezing its columns."""
    table = ft.DataTable(
        columns=[ft.DataColumn(label=h, numeric=i > 1) for i, h in enumerate(heads)],
        rows=[ft.DataRow([ft.DataCell(text(cell)) for cell in row]) for row in rows],
        column_spacing=14,
        data_row_max_height=60,
    )
    return ft.Row([table], scroll=ft.ScrollMode.AUTO)


class ScenariosScreen:
    """Built by the supervisor screens' `Scenarios` button; `show(title, controls)` draws."""

    def __init__(self, api: ReviewApi, show: Callable[[str, list[ft.Control]], None]) -> None:
        self.api, self.show = api, show
        self.by = "head_sex"
        self.fields = {
            name: ft.TextField(label=label, width=230, on_change=lambda _e: self._typed(),
                               on_submit=lambda _e: self.open())
            for name, label in FIELDS
        }  # fmt: skip
        self.last: list[ft.Control] = []
        """The last results shown, kept on screen when a later entry is refused."""
        self.pending = text("To apply: no change")
        """What the server has of the typed changes, rewritten on every keystroke, so the
        supervisor (and a test) sees what "Apply changes" will use."""

    def _typed(self) -> None:
        changes, wrong = changes_of({n: f.value or "" for n, f in self.fields.items()})
        if wrong is None:
            said = Scenario(name="typed", **changes).changes() if changes else {}
            wrong = "To apply: " + (", ".join(f"{k} {v}" for k, v in said.items()) or "no change")
        self.pending.value = wrong
        self.pending.update()

    def _pick(self, by: str) -> None:
        self.by = by
        self.open()

    def open(self) -> None:
        title = "Scenarios: what closes the living income gap"
        changes, wrong = changes_of({n: f.value or "" for n, f in self.fields.items()})
        editor: list[ft.Control] = [
            ft.Row(list(self.fields.values()), wrap=True),
            self.pending,
            ft.Row([button("Apply changes", self.open),
                    *(button(f"By {label.lower()}", lambda b=by: self._pick(b))
                      for by, label in DIMENSIONS.items() if by != self.by)], wrap=True),
        ]  # fmt: skip
        for name, label in FIELDS:
            mine = wrong is not None and wrong.startswith(label)
            self.fields[name].error = wrong.removeprefix(f"{label}: ") if mine and wrong else None
        if wrong is not None:  # said under its field; the last results stay
            self.show(title, [*editor, text(wrong, color="red"), *self.last])
            return
        body = {"form": FORM, "scenarios": [{"name": "edited", **changes}]}
        try:
            answer: dict[str, Any] = self.api._call(  # the review API's error handling
                "POST", "/report/scenarios", json=body, timeout=REPORT_TIMEOUT
            )
        except ReviewApiError as error:
            self.show(title, [*editor, text(str(error), color="red"), *self.last])
            return
        self.last = self._results(answer)
        self.show(title, [*editor, *self.last])

    def _results(self, answer: dict[str, Any]) -> list[ft.Control]:
        said = answer["scenarios"][0]["changes"]
        changes = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in said.items()) or "no change"
        missing = len(answer["missing"])
        lines: list[ft.Control] = [
            text(f"{DIMENSIONS[self.by]}: {changes}", bold=True, size=18),
            text(
                f"{answer['households']:,} households (submissions"
                f" {' or '.join(answer['population']['states'])}, your districts); {missing:,}"
                " without drivers (no area, harvest or price: only other income changes"
                " for them)."
            ),  # fmt: skip
            _table(HEADS, result_rows(answer, self.by)),
            text(limits_text(answer["limits"])),
            text(
                "Each estimate over its 95 % interval [low, high]. Crossing: households below"
                " the benchmark now and at or above it after; within reach: their new price,"
                " yield and area stay within the project's plausible limits."
            ),  # fmt: skip
            text(
                "One driver alone: the median change that closes the gap (and for how many"
                " households below it stays within reach)",
                bold=True,
                size=18,
            ),  # fmt: skip
            _table(CLOSING_HEADS, closing_rows(answer, self.by)),
        ]
        return lines

"""The living income report on the supervisor's screen, built from what a real server sends
(`fieldapp-server serve` on loopback over the 24 synthetic households, the screens' own API):
the groups' figures as the report computes them, a district's supervisor seeing only their
district, the charts, and the way to the HTML export."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, cast

import flet as ft
import httpx
import pytest
from report_support import HOUSEHOLDS, LIVING_INCOME_FORM, store_households
from server_support import serving

from sync.server.api.auth import add_user
from sync.server.app import open_storage
from sync.server.publish import publish_file
from sync.server.report.charts import empty_reason, report_charts
from sync.server.report.compute import Population, Report
from sync.server.supervisor_ui.exports_screen import ExportsApi
from sync.server.supervisor_ui.report_screen import (
    GROUP_HEADS,
    WEAI_HEADS,
    ReportScreen,
    group_cells,
    weai_cells,
)

pytestmark = pytest.mark.server_storage


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, shared_database: str | None
) -> Iterator[tuple[str, dict[str, str]]]:
    data = tmp_path_factory.mktemp("report-screen") / "server"
    storage, blobs = open_storage(data)
    publish_file(storage, blobs, LIVING_INCOME_FORM, runs=1)
    store_households(storage)
    tokens = {name: add_user(storage, name, role, district) for name, role, district in
              (("sue", "supervisor", "north"), ("ann", "admin", None),
               ("amina", "enumerator", "north"))}  # fmt: skip
    with serving(data) as url:
        yield url, tokens


class Drawn:
    """What the screen showed last, and which form it was asked to export."""

    def __init__(self) -> None:
        self.title, self.controls, self.exported = "", cast(list[ft.Control], []), ""

    def show(self, title: str, controls: list[ft.Control]) -> None:
        self.title, self.controls = title, controls

    def export(self, form: str) -> None:
        self.exported = form


def tables(shown: list[Any]) -> list[ft.DataTable]:
    """The screen's tables, each in a row that scrolls sideways (nothing past a tablet's edge)."""
    rows = [c for c in shown if isinstance(c, ft.Row) and c.scroll == ft.ScrollMode.AUTO]
    return [t for row in rows for t in row.controls if isinstance(t, ft.DataTable)]


def grid(table: ft.Control) -> list[list[str]]:
    assert isinstance(table, ft.DataTable)
    heads = [str(c.label) for c in table.columns]
    return [heads, *([str(cast(ft.Text, c.content).value) for c in r.cells] for r in table.rows)]


def report_of(url: str, token: str) -> Report:
    got = httpx.get(f"{url}/api/v1/report.json", headers={"Authorization": f"Bearer {token}"})
    assert got.status_code == 200, got.text
    return Report.model_validate(got.json())


@pytest.mark.parametrize("user", ["ann", "sue"])
def test_the_screen_shows_the_reports_figures_for_the_users_districts(
    server: tuple[str, dict[str, str]], user: str
) -> None:
    url, tokens = server
    drawn = Drawn()
    screen = ReportScreen(ExportsApi(url, tokens[user]), drawn.show, drawn.export)
    screen.open()
    assert drawn.title == "Living income report: living_income_household"
    report = report_of(url, tokens[user])
    shown: list[Any] = drawn.controls
    said = [str(c.value) for c in shown if isinstance(c, ft.Text)]
    households = len(report.households)
    assert households == sum(1 for h in HOUSEHOLDS if user == "ann" or h["district"] == "north")
    assert said[0] == "Population: submissions approved, latest version of each interview only"
    assert said[1] == f"{households} households" + (
        f"; {len(report.skipped)} left out (no usable benchmark or household size)"
        if report.skipped
        else ""
    )
    groups, weai = tables(shown)
    expected = [g.model_dump() for g in report.groups]
    assert grid(groups) == [list(GROUP_HEADS), *(group_cells(g) for g in expected)]
    assert grid(weai) == [list(WEAI_HEADS), *(weai_cells(g) for g in expected if g["weai"])]
    first = grid(groups)[1]
    mine = [h for h in report.households if h.benchmark_id == "ci_cocoa_2022"]
    assert first[:5] == ["All households", "", "Côte d'Ivoire - cocoa areas, 2022",
                         "XOF", f"{len(mine)}*"]  # fmt: skip
    share = 100 * sum(1 for h in mine if h.below) / len(mine)
    assert first[5].startswith(f"{share:.1f}\n[")
    districts = {row[1] for row in grid(groups)[1:] if row[0] == "District"}
    assert districts == ({"north", "south", "east"} if user == "ann" else {"north"})
    labels = ["A-WEAI" if g["weai"]["dual_adult"] else "5DE (women)" for g in expected if g["weai"]]
    assert [row[-1].split(" 0.")[0] for row in grid(weai)[1:]] == labels  # with men's data only
    charts = [c for c in shown if isinstance(c, ft.Image)]
    assert [c.semantics_label for c in charts] == [
        "Income against the living income benchmark",
        "Income composition",
        "Gap by sex of the household head",
    ]
    assert all(str(c.src).startswith("<svg") and "http" not in str(c.src).replace(
        "http://www.w3.org/2000/svg", "") for c in charts)  # fmt: skip
    [export] = [c for c in shown if isinstance(c, ft.Button)]
    cast(Any, export.on_click)(None)
    assert drawn.exported == "living_income_household"
    [more] = [b for b in shown[0].controls if b.content == "Approved and received"]
    more.on_click(None)
    population = drawn.controls[1]
    assert isinstance(population, ft.Text) and population.value == (
        "Population: submissions approved or received, latest version of each interview only"
    )


def test_the_summary_is_for_reviewers_of_their_own_district(
    server: tuple[str, dict[str, str]],
) -> None:
    url, tokens = server

    def get(user: str, **params: str) -> httpx.Response:
        return httpx.get(f"{url}/api/v1/report/summary.json", params=params,
                         headers={"Authorization": f"Bearer {tokens[user]}"})  # fmt: skip

    assert get("amina").status_code == 403
    unknown = get("sue", form="demo_household")
    assert unknown.status_code == 400
    assert unknown.json()["detail"] == "no living income field mapping for form 'demo_household'"
    assert get("sue", district="south").status_code == 403
    summary = get("sue").json()
    assert set(summary) == {"form_id", "population", "benchmarks", "households", "skipped",
                            "groups", "charts"}  # fmt: skip
    assert summary["households"] == 8  # a count: no per-household rows on the wire


def test_without_a_living_income_form_the_screen_says_so() -> None:
    class NoReportForm(ExportsApi):
        def forms(self) -> list[dict[str, Any]]:
            return [{"form_id": "demo_household"}]

    drawn = Drawn()
    ReportScreen(NoReportForm("http://127.0.0.1:9", "t"), drawn.show, drawn.export).open()
    [said] = drawn.controls
    assert drawn.title == "Living income report"
    assert isinstance(said, ft.Text) and said.value == (
        "No living income form is published on the server yet"
        " (the report reads living_income_household)."
    )


def test_an_empty_chart_says_why_it_is_empty() -> None:
    """A report with no household draws three framed charts, each saying in its middle (and
    in its title, which a screen reader reads) why there is nothing to draw."""
    states = ("approved", "received")
    nobody = Report(form_id="f", population=Population(states=states, districts=("north",)),
                    benchmarks=[], households=[], skipped=[], groups=[], seed=1)  # fmt: skip
    why = "No approved or received household with a benchmark and a household size in north."
    assert empty_reason(nobody) == why
    charts = report_charts(nobody)
    assert len(charts) == 3
    for heading, svg in charts.items():
        said = " ".join(re.findall(r'fill="#555">([^<]*)</text>', svg))
        assert said == why, heading
        assert re.search(r"<title>[^<]*: No approved or received household", svg), heading

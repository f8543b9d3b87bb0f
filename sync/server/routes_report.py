"""`GET /api/v1/report.html` and `/api/v1/report.json`: the living income report;
`/api/v1/report/summary.json`: its groups and charts without the per-household rows, for a
screen (a few hundred bytes per group, not a few hundred per household).

`state` (repeatable) chooses the review states counted; without it, approved submissions
only. Superseded versions never count."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel

from sync.server.auth import CurrentUser
from sync.server.report.benchmarks import Benchmark
from sync.server.report.build import report_for
from sync.server.report.charts import report_charts
from sync.server.report.compute import Population, Report
from sync.server.report.groups import GroupResult
from sync.server.report.html import render_html
from sync.server.routes_exports import Many, scoped_filter
from sync.server.storage import Storage

router = APIRouter(prefix="/api/v1")
DEFAULT_FORM = "living_income_household"


def _report(
    request: Request,
    user: CurrentUser,
    form: str = DEFAULT_FORM,
    state: Many = [],  # noqa: B006 (FastAPI reads the default, never mutates it)
    district: Many = [],  # noqa: B006
) -> Report:
    """The report of `form` over the user's districts, narrowed by state and district."""
    chosen = scoped_filter(user, state, district, [], None, None)
    storage: Storage = request.app.state.storage
    return report_for(storage, form, chosen)


Chosen = Annotated[Report, Depends(_report)]


@router.get("/report.json")
def report_json(report: Chosen) -> Report:
    return report


class ReportSummary(BaseModel):
    form_id: str
    population: Population
    benchmarks: list[Benchmark]
    households: int
    skipped: int
    """Households left out: no usable benchmark or household size."""
    groups: list[GroupResult]
    charts: dict[str, str]
    """The report's charts by title, each a self-contained SVG (nothing fetched)."""


@router.get("/report/summary.json")
def report_summary(report: Chosen) -> ReportSummary:
    return ReportSummary(
        form_id=report.form_id,
        population=report.population,
        benchmarks=report.benchmarks,
        households=len(report.households),
        skipped=len(report.skipped),
        groups=report.groups,
        charts=report_charts(report),
    )


@router.get("/report.html")
def report_html(report: Chosen) -> HTMLResponse:
    form = report.form_id
    return HTMLResponse(
        render_html(report, f"Living income report: {form}"),
        headers={"Content-Disposition": f'attachment; filename="{form}-report.html"'},
    )

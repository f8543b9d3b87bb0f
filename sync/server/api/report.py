"""`GET /api/v1/report.html` and `/api/v1/report.json`: the living income report;
`/api/v1/report/summary.json`: its groups and charts without the per-household rows, for a
screen (a few hundred bytes per group, not a few hundred per household);
`POST /api/v1/report/scenarios`: income driver scenarios over the same households (issue
#19), for the Scenarios screen; `/api/v1/report/driver-limits`: the plausible limits of
driver changes (an admin replaces them with PUT).

`state` (repeatable) chooses the review states counted; without it, approved submissions
only. Superseded versions never count."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from sync.server.api.auth import CurrentAdmin, CurrentUser
from sync.server.api.exports import Many, scoped_filter
from sync.server.report.analysis import MissingDrivers, analysis_for
from sync.server.report.benchmarks import Benchmark
from sync.server.report.build import report_for
from sync.server.report.charts import report_charts
from sync.server.report.closing import SegmentDrivers
from sync.server.report.compute import Population, Report
from sync.server.report.driver_limits import DriverLimit, DriverLimits, load_limits, save_limits
from sync.server.report.groups import GroupResult
from sync.server.report.html import render_html
from sync.server.report.scenario_groups import ScenarioResult, Sensitivity
from sync.server.report.scenarios import Scenario
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


class ScenarioRequest(BaseModel):
    form: str = DEFAULT_FORM
    state: list[str] = []
    """Review states counted; none: approved only, as the report."""
    district: list[str] = []
    scenarios: list[Scenario] = Field(default=[], max_length=12)


class ScenarioAnswer(BaseModel):
    form_id: str
    population: Population
    households: int
    limits: list[DriverLimit]
    """The plausible limits in force, per country and crop."""
    missing: list[MissingDrivers]
    """Households whose drivers cannot be computed, with the reason."""
    segments: list[SegmentDrivers]
    sensitivity: list[Sensitivity]
    scenarios: list[ScenarioResult]
    benchmark_names: dict[str, str] = {}
    """Each benchmark's label as the report's group tables write it."""


@router.post("/report/scenarios")
def report_scenarios(body: ScenarioRequest, request: Request, user: CurrentUser) -> ScenarioAnswer:
    """The scenarios over the report's households of the user's districts."""
    chosen = scoped_filter(user, body.state, body.district, [], None, None)
    storage: Storage = request.app.state.storage
    report = report_for(storage, body.form, chosen)
    found = analysis_for(storage, report, body.scenarios)
    return ScenarioAnswer(
        form_id=report.form_id,
        population=report.population,
        households=found.households,
        limits=found.limits,
        missing=found.missing,
        segments=found.segments,
        sensitivity=found.sensitivity,
        scenarios=found.scenarios,
        benchmark_names=found.benchmark_names,
    )


@router.get("/report/driver-limits")
def driver_limits(request: Request, user: CurrentUser) -> DriverLimits:
    scoped_filter(user, [], [], [], None, None)  # who may read reports may read these
    return load_limits(request.app.state.storage)


@router.put("/report/driver-limits")
async def put_driver_limits(request: Request, user: CurrentAdmin) -> DriverLimits:
    """Checked first: a bad document is a 400 naming the field, and nothing is stored."""
    return save_limits(request.app.state.storage, await request.body())

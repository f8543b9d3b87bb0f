"""`GET /api/v1/report.html` and `/api/v1/report.json`: the living income report;
`/api/v1/report/summary.json`: its groups and charts without the per-household rows, for a
screen (a hundred bytes per group, not a few hundred per household)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel

from sync.server.auth import CurrentUser
from sync.server.report.build import report_for
from sync.server.report.charts import report_charts
from sync.server.report.compute import GroupResult, Report
from sync.server.report.html import render_html
from sync.server.routes_exports import Many, scoped_filter
from sync.server.storage import Storage

router = APIRouter(prefix="/api/v1")
DEFAULT_FORM = "living_income_household"


def _report(
    request: Request, user: CurrentUser, form: str, state: list[str], district: list[str]
) -> Report:
    chosen = scoped_filter(user, state, district, [], None, None)
    storage: Storage = request.app.state.storage
    return report_for(storage, form, chosen)


@router.get("/report.json")
def report_json(
    request: Request,
    user: CurrentUser,
    form: str = DEFAULT_FORM,
    state: Many = [],  # noqa: B006 (FastAPI reads the default, never mutates it)
    district: Many = [],  # noqa: B006
) -> Report:
    return _report(request, user, form, state, district)


class ReportSummary(BaseModel):
    form_id: str
    households: int
    skipped: int
    """Households left out: no usable benchmark or household size."""
    groups: list[GroupResult]
    charts: dict[str, str]
    """The report's charts by title, each a self-contained SVG (nothing fetched)."""


@router.get("/report/summary.json")
def report_summary(
    request: Request,
    user: CurrentUser,
    form: str = DEFAULT_FORM,
    state: Many = [],  # noqa: B006
    district: Many = [],  # noqa: B006
) -> ReportSummary:
    report = _report(request, user, form, state, district)
    return ReportSummary(
        form_id=report.form_id,
        households=len(report.households),
        skipped=len(report.skipped),
        groups=report.groups,
        charts=report_charts(report),
    )


@router.get("/report.html")
def report_html(
    request: Request,
    user: CurrentUser,
    form: str = DEFAULT_FORM,
    state: Many = [],  # noqa: B006
    district: Many = [],  # noqa: B006
) -> HTMLResponse:
    report = _report(request, user, form, state, district)
    return HTMLResponse(
        render_html(report, f"Living income report: {form}"),
        headers={"Content-Disposition": f'attachment; filename="{form}-report.html"'},
    )

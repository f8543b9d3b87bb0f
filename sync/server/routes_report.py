"""`GET /api/v1/report.html` and `/api/v1/report.json`: the living income report."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from sync.server.auth import CurrentUser
from sync.server.report.build import report_for
from sync.server.report.compute import Report
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

"""Exports for supervisors (their district) and admins.

`GET /api/v1/exports/{form_id}.{format}` answers with the file once it is written;
`/api/v1/export-jobs` runs the same exports (and the report) as jobs with progress and
one-time browser download links (`export_jobs.py`)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import IO, Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, ValidationError

from sync.server.api.auth import CurrentUser
from sync.server.errors import BadRequest, Forbidden
from sync.server.exports.jobs import ExportJobs, Job, JobView
from sync.server.exports.run import export, export_schema, output_for
from sync.server.exports.source import ExportFilter
from sync.server.storage import Storage, User

router = APIRouter(prefix="/api/v1")
CHUNK = 1 << 16


def scoped_filter(
    user: User,
    state: list[str],
    district: list[str],
    version: list[str],
    since: str | None,
    until: str | None,
) -> ExportFilter:
    """The filter a user may run: a supervisor only ever sees their own district."""
    if user.role == "supervisor":
        if any(d != user.district for d in district):
            raise Forbidden("a supervisor sees only their own district")
        district = [user.district or ""]
    elif user.role != "admin":
        raise Forbidden(f"a {user.role} cannot read exports or reports")
    try:
        return ExportFilter(
            states=tuple(state),
            districts=tuple(district),
            versions=tuple(version),
            since=since,
            until=until,
        )
    except ValidationError as error:
        raise BadRequest(f"bad filter: {error.errors()[0]['msg']}") from None


Many = Annotated[list[str], Query()]


def _chunks(handle: IO[bytes]) -> Iterator[bytes]:
    try:
        handle.seek(0)
        while chunk := handle.read(CHUNK):
            yield chunk
    finally:
        handle.close()


@router.get("/exports/{form_id}.{kind}")
def export_route(
    form_id: str,
    kind: str,
    request: Request,
    user: CurrentUser,
    state: Many = [],  # noqa: B006 (FastAPI reads the default, never mutates it)
    district: Many = [],  # noqa: B006
    version: Many = [],  # noqa: B006
    since: str | None = None,
    until: str | None = None,
) -> StreamingResponse:
    """The export as a file named for what it is: `<form>.dta` or `<form>.dta.zip` (a form
    with repeats), `<form>.csv` or `<form>.csv.zip`, `<form>.xlsx`, `<form>.geojson`."""
    chosen = scoped_filter(user, state, district, version, since, until)
    storage: Storage = request.app.state.storage
    made = output_for(export_schema(storage, form_id, chosen), kind)
    handle = tempfile.TemporaryFile()
    try:
        export(storage, form_id, kind, chosen, handle)
    except BaseException:
        handle.close()
        raise
    return StreamingResponse(
        _chunks(handle),
        media_type=made.media_type,
        headers={"Content-Disposition": f'attachment; filename="{made.filename(form_id)}"'},
    )


class JobRequest(BaseModel):
    """`POST /api/v1/export-jobs`: what to export (`format`: csv, xlsx, dta, geojson or
    report) and the filters, as for a download."""

    model_config = ConfigDict(extra="forbid")

    form: str
    format: str
    state: list[str] = []
    district: list[str] = []
    version: list[str] = []
    since: str | None = None
    until: str | None = None


class ExportForm(BaseModel):
    form_id: str
    title: str
    version: str | None


@router.get("/export-forms")
def export_forms(request: Request, user: CurrentUser) -> list[ExportForm]:
    """The published forms (their current versions), for a supervisor choosing an export."""
    scoped_filter(user, [], [], [], None, None)
    storage: Storage = request.app.state.storage
    return [ExportForm(form_id=f.form_id, title=f.title, version=f.version)
            for f in storage.current_forms()]  # fmt: skip


class Link(BaseModel):
    url: str
    """Below the server's address; valid once, for a few minutes."""


def _jobs(request: Request) -> ExportJobs:
    jobs: ExportJobs = request.app.state.export_jobs
    return jobs


def _file(job: Job) -> FileResponse:
    return FileResponse(job.path, media_type=job.media_type, filename=job.filename)


@router.post("/export-jobs", status_code=202)
def start_job(body: JobRequest, request: Request, user: CurrentUser) -> JobView:
    chosen = scoped_filter(user, body.state, body.district, body.version, body.since, body.until)
    return _jobs(request).start(user, body.form, body.format, chosen).view()


@router.get("/export-jobs")
def my_jobs(request: Request, user: CurrentUser) -> list[JobView]:
    return [job.view() for job in _jobs(request).mine(user)]


@router.get("/export-jobs/{job_id}")
def job_state(job_id: str, request: Request, user: CurrentUser) -> JobView:
    return _jobs(request).get(user, job_id).view()


@router.get("/export-jobs/{job_id}/file")
def job_file(job_id: str, request: Request, user: CurrentUser) -> FileResponse:
    jobs = _jobs(request)
    return _file(jobs.done_file(jobs.get(user, job_id)))


@router.post("/export-jobs/{job_id}/link")
def job_link(job_id: str, request: Request, user: CurrentUser) -> Link:
    ticket = _jobs(request).ticket(user, job_id)
    return Link(url=f"/api/v1/export-jobs/{job_id}/download?ticket={ticket}")


@router.get("/export-jobs/{job_id}/download")
def job_download(job_id: str, ticket: str, request: Request) -> FileResponse:
    """For a browser: the ticket of a link stands for the token."""
    return _file(_jobs(request).redeem(job_id, ticket))

"""`GET /api/v1/exports/{form_id}.{format}`: supervisors (their district) and admins."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import IO, Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import ValidationError

from sync.server.auth import CurrentUser
from sync.server.errors import BadRequest, Forbidden
from sync.server.exports.run import FORMATS, export
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
    chosen = scoped_filter(user, state, district, version, since, until)
    if kind not in FORMATS:
        raise BadRequest(f"export format must be one of {', '.join(FORMATS)}, not {kind!r}")
    storage: Storage = request.app.state.storage
    handle = tempfile.TemporaryFile()
    try:
        export(storage, form_id, kind, chosen, handle)
    except BaseException:
        handle.close()
        raise
    name = f"{form_id}{FORMATS[kind].suffix}"
    return StreamingResponse(
        _chunks(handle),
        media_type=FORMATS[kind].media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )

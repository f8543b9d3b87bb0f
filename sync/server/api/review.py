"""The review API: queue, a submission rendered with its form, decisions, history, dashboard.

A supervisor or a coordinator sees their own district only (a coordinator's token sits on a
district hub's laptop); an admin sees all, and only a supervisor of the district or an admin
decides. Enumerators get 403.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from forms.definition import FormDefinition
from forms.xform_reader import read_xform
from sync.protocol import ReviewRequest
from sync.server.api.auth import CurrentUser
from sync.server.errors import BadRequest, Conflict, Forbidden, NotFound
from sync.server.intake.ingest import now
from sync.server.quality.checks import Flag, section_seconds
from sync.server.quality.config import QualityConfig, load_config, save_config
from sync.server.quality.sections import AUDIT, section_flags
from sync.server.review.diff import Change, diff
from sync.server.review.gps import GpsPoint, GpsReview, gps_review, repeat_points
from sync.server.review.render import Rendered, render
from sync.server.review.render_text import Wording, form_files
from sync.server.review.store import (
    TOTAL_COUNT,
    EnumeratorStats,
    QueueFilter,
    QueueRow,
    ReviewIndex,
    index_for,
)
from sync.server.review.thumbnails import is_image, media_type, preview
from sync.server.storage import ReviewRecord, Storage, SubmissionRecord, User
from sync.server.storage.blobs import BlobStore

router = APIRouter(prefix="/api/v1/review")
VIEWERS = ("supervisor", "coordinator", "admin")


class ReviewView(BaseModel):
    instance_id: str
    """The version decided on: a correction's view also lists the reviews of what it corrects."""
    decision: str
    comment: str
    question_comments: dict[str, str]
    author: str
    at: str


class Version(BaseModel):
    instance_id: str
    submitted_at: str
    changes: list[Change]
    """What changed from the version before it (empty for the first)."""


class FileView(BaseModel):
    name: str
    size: int
    received: bool
    image: bool
    """A photo the screens can preview (`?width=` on the attachment)."""


class SubmissionView(BaseModel):
    instance_id: str
    form_id: str
    form_version: str | None
    enumerator: str
    district: str | None
    via: str | None
    """The district hub that forwarded it (its coordinator); None when it came directly."""
    submitted_at: str
    state: str
    duration_min: float | None
    """Minutes spent in the interview up to its first finalize."""
    duration_from: str | None
    """Where the duration comes from: `start/end` (its fields) or `the audit log`."""
    correction_min: float | None
    """Minutes spent correcting it after its first finalize (from the audit log)."""
    timing_source: str
    flags: list[Flag]
    attachments: list[str]
    """The received ones."""
    files: list[FileView]
    """Every attachment the submission lists, received or not yet."""
    gps: GpsReview
    reviews: list[ReviewView]
    history: list[Version]
    rendered: Rendered
    gps_in_repeats: list[GpsPoint] = []
    """The geopoints of repeat tables, checked against the same limits as `gps.points`."""


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def _parts(request: Request) -> tuple[Storage, ReviewIndex]:
    storage: Storage = request.app.state.storage
    return storage, index_for(storage)


def _viewer(user: User) -> str | None:
    """The district the user is limited to (None = all: an admin); 403 for a non-reviewer."""
    if user.role not in VIEWERS:
        raise Forbidden(f"a {user.role} cannot review submissions")
    if user.role == "admin":
        return None
    if not user.district:
        raise Forbidden(f"{user.name!r} has no district; a {user.role} reads their district's")
    return user.district


def _visible(storage: Storage, user: User, instance_id: str) -> SubmissionRecord:
    district = _viewer(user)
    submission = storage.submission(instance_id)
    if submission is None:
        raise NotFound(f"no submission {instance_id!r}")
    if district is not None and submission.district != district:
        raise Forbidden("this submission belongs to another district")
    return submission


@lru_cache(maxsize=32)
def _definition(xml: str) -> FormDefinition:
    return read_xform(xml)


@router.get("/queue")
def queue(
    request: Request,
    response: Response,
    user: CurrentUser,
    where: Annotated[QueueFilter, Query()],
) -> list[QueueRow]:
    """A page of the queue, newest first; `X-Total-Count` says how many match in all."""
    district = _viewer(user)
    if district is not None:
        if where.district not in (None, "", district):
            raise Forbidden(f"a {user.role} sees their own district only ({district})")
        where = where.model_copy(update={"district": district})
    index = _parts(request)[1]
    response.headers[TOTAL_COUNT] = str(index.queue_count(where))
    return index.queue(where)


@router.get("/submissions/{instance_id}")
def submission(
    instance_id: str, request: Request, user: CurrentUser, language: str | None = None
) -> SubmissionView:
    storage, index = _parts(request)
    record = _visible(storage, user, instance_id)
    form = storage.form(record.form_id, record.form_version) or storage.form(record.form_id, None)
    if form is None:
        raise NotFound(f"form {record.form_id!r} is not on this server")
    facts, flags = index.flags(instance_id)
    listed = storage.attachments(instance_id)
    received = {a.name: a for a in listed if a.received}
    config = load_config(storage)
    definition = _definition(form.xml)
    media = form_files(definition, form.media, request.app.state.blobs.read)
    wording = Wording(definition, language, record.xml, media)
    rendered = render(record.xml, definition, language, media, wording)
    timing = "start/end fields" if facts is not None and facts.duration_s is not None else "none"
    if AUDIT in received:
        blobs: BlobStore = request.app.state.blobs
        text = blobs.read(received[AUDIT].sha256).decode("utf-8", "replace")
        seconds = section_seconds(text, _definition(form.xml).root_name)
        for section in rendered.sections:
            section.seconds = seconds.get(section.ref.rsplit("/", 1)[-1])
        flags = section_flags(index, instance_id, flags, seconds, config)
        timing = "audit.csv paradata"
    history = index.history(storage, instance_id)
    gps = gps_review(rendered, config, record.district)
    return SubmissionView(
        instance_id=record.instance_id,
        form_id=record.form_id,
        form_version=record.form_version,
        enumerator=record.enumerator,
        district=record.district,
        via=record.via,
        submitted_at=record.submitted_at,
        state=index.state(instance_id),
        duration_min=_minutes(facts.duration_s if facts else None),
        duration_from=facts.duration_from if facts and facts.duration_s is not None else None,
        correction_min=_minutes(facts.correction_s if facts else None),
        timing_source=timing,
        flags=flags,
        attachments=sorted(received),
        files=[
            FileView(name=a.name, size=a.size, received=a.received, image=is_image(a.name))
            for a in sorted(listed, key=lambda a: a.name)
        ],
        gps=gps,
        reviews=[
            ReviewView(
                instance_id=r.instance_id,
                decision=r.decision,
                comment=r.comment,
                question_comments=r.question_comments,
                author=r.author,
                at=r.at,
            )
            for version in history
            for r in storage.reviews(version.instance_id)
        ],
        history=[
            Version(
                instance_id=v.instance_id,
                submitted_at=v.submitted_at,
                changes=diff(history[i - 1].xml, v.xml, wording.said) if i else [],
            )
            for i, v in enumerate(history)
        ],
        rendered=rendered,
        gps_in_repeats=repeat_points(rendered, gps),
    )


@router.get("/submissions/{instance_id}/attachments/{name}")
def attachment(
    instance_id: str,
    name: str,
    request: Request,
    user: CurrentUser,
    width: Annotated[int | None, Query(ge=16, le=2048)] = None,
) -> Response:
    """The file as received, or with `width` an image scaled to fit width x width."""
    storage, _ = _parts(request)
    _visible(storage, user, instance_id)
    found = [a for a in storage.attachments(instance_id) if a.name == name and a.received]
    if not found:
        raise NotFound(f"submission {instance_id!r} has no received attachment {name!r}")
    blobs: BlobStore = request.app.state.blobs
    if width is not None:
        data, media = preview(blobs.path(found[0].sha256), name, width)
        return Response(data, media_type=media)
    return Response(blobs.read(found[0].sha256), media_type=media_type(name))


@router.post("/submissions/{instance_id}/decision")
def decide(
    instance_id: str, body: ReviewRequest, request: Request, user: CurrentUser
) -> dict[str, str]:
    storage, index = _parts(request)
    record = _visible(storage, user, instance_id)
    if user.role not in ("supervisor", "admin"):
        raise Forbidden("only a supervisor of this submission's district or an admin decides")
    if index.state(instance_id) == "superseded":
        raise Conflict("a newer version of this submission exists; review that one")
    if body.decision == "rejected" and not (body.comment.strip() or body.question_comments):
        raise BadRequest("a rejection needs a comment telling the enumerator what to fix")
    storage.add_review(
        ReviewRecord(
            record.instance_id,
            body.decision,
            body.comment,
            dict(body.question_comments),
            user.name,
            now(),
            0,
        )
    )
    return {"instance_id": instance_id, "state": index.state(instance_id)}


@router.get("/dashboard")
def dashboard(request: Request, user: CurrentUser) -> list[EnumeratorStats]:
    return _parts(request)[1].dashboard(_viewer(user))


@router.get("/config")
def get_config(request: Request, user: CurrentUser) -> QualityConfig:
    _viewer(user)
    return load_config(_parts(request)[0])


@router.put("/config")
async def put_config(request: Request, user: CurrentUser) -> QualityConfig:
    if user.role != "admin":
        raise Forbidden("only an admin changes the quality settings")
    return save_config(_parts(request)[0], await request.body())

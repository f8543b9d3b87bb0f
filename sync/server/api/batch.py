"""The batch sync API of our client: submissions, attachments, pull, form downloads, review.

The pull cursor is a position in the central server's numbering of events (forms published,
interviews returned): a pull brings what was numbered after it and a cursor past all it
brought, never behind the one it was given. A district hub keeps the central server's number
of every return it relays (`ReviewRecord.origin_seq`) and answers with the position it has
pulled upstream to, so a device's one cursor means the same at the hub as at HQ: a return it
got by one way is past its cursor by the other, and comes exactly once. A hub's forms carry
its own numbers, so it lists every current form to a cursor behind the position it has
pulled to (the device fetches only those whose hash it lacks), none to one at or past it.
"""

from __future__ import annotations

import functools
import logging
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import ValidationError

from sync.protocol import (
    RESULT_FIELDS_HEADER,
    BatchResult,
    FormInfo,
    HubUsers,
    ItemResult,
    MediaInfo,
    PullResult,
    ReturnedInstance,
    ReviewComment,
    ReviewRequest,
    SubmissionBatch,
    SubmissionItem,
)
from sync.server.api.auth import CurrentUser
from sync.server.api.upload_gate import SMALL_BODY, admit_memory
from sync.server.errors import BadRequest, Conflict, Forbidden, NotFound, TooLarge
from sync.server.hub.relay import CURSOR_KEY
from sync.server.hub.trust import HUB_ROLES, maker_of, sends_files_of, users_for_hub
from sync.server.intake.ingest import (
    FormVersions,
    Prepared,
    finish,
    now,
    prepare,
    require_submitter_of,
)
from sync.server.intake.limits import gunzip
from sync.server.quality.config import QualityConfig
from sync.server.quality.sections import on_attachment
from sync.server.review.store import index_for
from sync.server.storage import (
    AttachmentRecord,
    ReturnScope,
    ReviewRecord,
    Storage,
    SubmissionRecord,
    User,
)
from sync.server.storage.blobs import BlobStore, safe_name

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api/v1")

TOGETHER = 50
"""The most items of a batch stored in one transaction (our app sends 50 per batch): a
longer batch commits as it goes, so a server killed in its middle has kept what it stored
before, as with one transaction per item."""


def _storage(request: Request) -> Storage:
    storage: Storage = request.app.state.storage
    return storage


@router.post("/submissions", response_model=BatchResult)
async def submit(request: Request, user: CurrentUser) -> Response:
    """The body is read and inflated here, on the event loop (the upload gate's counts live
    there); parsing and ingesting it wait on the database, so they run in the threadpool and
    the loop serves other requests meanwhile."""
    body = await request.body()
    if request.headers.get("content-encoding", "").lower() == "gzip":
        body = _inflated(request, body)
    intake = _Intake(
        _storage(request),
        user,
        require_known_form=request.app.state.require_known_form,
        file_limit=request.app.state.body_limit,
    )
    answer = await run_in_threadpool(intake.batch, body)
    return _for_client(answer, request.headers.get(RESULT_FIELDS_HEADER, ""))


class _Intake:
    """One request's ingestion, from plain values (no request object: it runs off the loop)."""

    def __init__(
        self, storage: Storage, sender: User, *, require_known_form: bool, file_limit: int
    ) -> None:
        self.storage, self.sender = storage, sender
        self.require_known_form, self.file_limit = require_known_form, file_limit

    def batch(self, body: bytes) -> BatchResult:
        try:
            batch = SubmissionBatch.model_validate_json(body)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise BadRequest(f"not a submission batch: {where}: {first['msg']}") from None
        require_submitter_of(self.sender, [item.xml for item in batch.items])
        quality = _quality_settings(self.storage) if batch.items else None
        # A batch's items are nearly always of one form version: it is read once for them.
        versions = functools.cache(self.storage.export_rows.form_version)
        results: list[ItemResult | None] = []
        waiting: list[tuple[int, Prepared]] = []  # checked, not stored: (place, item)
        for item in batch.items:
            ready = self.prepare(item, batch.device_id, versions)
            if isinstance(ready, Prepared) and ready.record.deprecated_id and waiting:
                # An edit is checked against what is stored (the version it replaces may be
                # waiting): the items before it are stored first, and it is checked again.
                self.store(waiting, results, quality)
                waiting = []
                ready = self.prepare(item, batch.device_id, versions)
            if not isinstance(ready, Prepared):
                results.append(ready)
            elif ready.record.deprecated_id:
                results.append(None)
                self.store([(len(results) - 1, ready)], results, quality)
            else:
                waiting.append((len(results), ready))
                results.append(None)
                if len(waiting) == TOGETHER:
                    self.store(waiting, results, quality)
                    waiting = []
        self.store(waiting, results, quality)
        done = [result for result in results if result is not None]
        assert len(done) == len(batch.items), "every item is answered"
        return BatchResult(batch_id=batch.batch_id, results=done)

    def prepare(
        self, item: SubmissionItem, device_id: str, versions: FormVersions
    ) -> Prepared | ItemResult:
        """One item checked, filed under the enumerator who made it: its sender, or the one a
        district hub vouches for (then the hub is its route, `via`, and the item names the
        device). `versions`: the form versions, read once for the whole batch. Checked in the
        storage's ingestion turn, as it is stored: on SQLite, parsing beside another thread's
        write would only contend with it for the interpreter."""
        try:
            maker = maker_of(self.storage, self.sender, item)
        except BadRequest as error:
            return ItemResult(
                instance_id=item.instance_id, status="rejected", message=error.message
            )
        with self.storage.ingestion_turn:
            return prepare(
                self.storage,
                maker,
                item.xml,
                instance_id=item.instance_id,
                attachments=item.attachments,
                device_id=item.device_id or device_id,
                require_known_form=self.require_known_form,
                file_limit=self.file_limit,
                via=None if maker is self.sender else self.sender.name,
                form_versions=versions,
            )

    def store(
        self,
        waiting: list[tuple[int, Prepared]],
        results: list[ItemResult | None],
        quality: QualityConfig | None,
    ) -> None:
        """Store the `waiting` items together (`Storage.add_submissions`: on PostgreSQL one
        commit for them all), then answer each in its place in `results`, writing the derived
        rows of the new ones (`quality`: the settings read for the whole batch). If storing
        them together fails, each is stored on its own, as the items before a failing one
        always were."""
        if not waiting:
            return
        items = [(ready.record, ready.expected) for _, ready in waiting]
        stored: list[bool] | None = None
        with self.storage.ingestion_turn:
            try:
                stored = self.storage.add_submissions(items)
            except Exception:
                if len(items) == 1:
                    raise
                log.warning(
                    "%d submissions not stored together; storing each", len(items), exc_info=True
                )
        for n, (place, ready) in enumerate(waiting):
            with self.storage.ingestion_turn:
                new = self.storage.add_submission(*items[n]) if stored is None else stored[n]
                results[place] = finish(self.storage, ready, new, quality)


def _quality_settings(storage: Storage) -> QualityConfig | None:
    """The quality settings, read once for a batch's items (None if they cannot be read:
    then each item's flags read them, and log why they are missing)."""
    try:
        return index_for(storage).settings(storage)
    except Exception:  # flags are advisory: the batch is stored all the same
        log.exception("quality settings not read for a batch")
        return None


def _for_client(answer: BatchResult, reads: str) -> Response:
    """The answer without the optional result fields the client did not say it reads."""
    optional = {"ignored_attachments"} - {field.strip() for field in reads.split(",")}
    body = answer.model_dump_json(exclude={"results": {"__all__": optional}})
    return Response(body, media_type="application/json")


def _inflated(request: Request, body: bytes) -> bytes:
    """A gzip batch inflated; past SMALL_BODY only with memory from the upload gate's budget
    (else 503), so small compressed bodies cannot add up to gigabytes."""
    try:
        return gunzip(body, SMALL_BODY)
    except TooLarge:
        limit: int = request.app.state.body_limit
        admit_memory(request, limit)
        return gunzip(body, limit)


@router.put("/submissions/{instance_id}/attachments/{name}")
async def put_attachment(
    instance_id: str, name: str, request: Request, user: CurrentUser
) -> Response:
    """The body streams to a temporary file, hashed as it comes; kept only if its sha256 is
    the one listed with the submission."""
    safe_name(name)
    storage = _storage(request)
    submission = storage.submission(instance_id)
    if submission is None or not sends_files_of(user, submission):
        raise NotFound(f"no submission {instance_id!r} of yours")
    expected = {a.name: a for a in storage.attachments(instance_id)}
    if name not in expected:
        raise NotFound(f"submission {instance_id!r} lists no attachment {name!r}")
    blobs: BlobStore = request.app.state.blobs
    with blobs.receiving() as incoming:
        async for chunk in request.stream():
            incoming.write(chunk)
        claimed = request.headers.get("x-content-sha256", "").lower()
        if claimed and claimed != incoming.sha256:
            raise BadRequest("X-Content-SHA256 does not match the body")
        if incoming.sha256 != expected[name].sha256:
            raise Conflict(
                f"attachment {name!r} differs from the sha256 listed with the submission"
            )
        digest = await run_in_threadpool(blobs.keep, incoming)
        size = incoming.size
    fresh = storage.put_attachment(AttachmentRecord(instance_id, name, digest, size, True))
    if fresh:
        on_attachment(storage, blobs, instance_id, name)
    return Response(status_code=201 if fresh else 200)


def form_info(request: Request, storage: Storage) -> list[FormInfo]:
    base = str(request.base_url).rstrip("/") + "/api/v1/forms"
    return [
        FormInfo(
            form_id=f.form_id,
            version=f.version,
            title=f.title,
            hash=f"md5:{f.md5}",
            download_url=f"{base}/{f.form_id}/{f.version or '-'}",
            media=[
                MediaInfo(
                    name=n,
                    hash=f"sha256:{h}",
                    download_url=f"{base}/{f.form_id}/{f.version or '-'}/media/{n}",
                )
                for n, h in sorted(f.media.items())
            ],
        )
        for f in storage.current_forms()
    ]


Cursor = Annotated[
    str,
    Query(
        max_length=18,
        pattern=r"^[0-9]*$",
        description="the `cursor` a previous pull returned (digits, at most 18)",
    ),
]


@router.get("/pull")
def pull(request: Request, user: CurrentUser, cursor: Cursor = "") -> PullResult:
    """Forms and returned interviews past `cursor` (see the module's docstring)."""
    since = int(cursor or 0)
    storage = _storage(request)
    forms = form_info(request, storage)
    if request.app.state.upstream is None:
        reached = storage.last_seq()
        changed = {f.form_id for f in storage.current_forms() if f.seq > since}
        forms = [f for f in forms if f.form_id in changed]
    else:
        reached = int(storage.get_setting(CURSOR_KEY) or 0)
        forms = forms if since < reached else []
    to_hub = user.role in HUB_ROLES
    returned = [
        _returned(storage.submission(review.instance_id), review, to_hub)
        for review in storage.returned_since(_return_scope(user), since)
    ]
    return PullResult(cursor=str(max(since, reached)), forms=forms, returned=returned)


def _return_scope(user: User) -> ReturnScope:
    """A device gets its enumerator's returns; a hub its district's (an admin's: all)."""
    if user.role == "admin":
        return ReturnScope()
    if user.role == "coordinator" and user.district:
        return ReturnScope(district=user.district)
    return ReturnScope(enumerator=user.name)


def _returned(
    submission: SubmissionRecord | None, review: ReviewRecord, to_hub: bool
) -> ReturnedInstance:
    """A return as sent; to a hub with whose it is and its number here (`ReturnedInstance`)."""
    assert submission is not None  # a review is of a stored submission
    comments = [ReviewComment(text=review.comment, author=review.author, at=review.at)]
    comments += [
        ReviewComment(ref=ref, text=text, author=review.author, at=review.at)
        for ref, text in sorted(review.question_comments.items())
    ]
    return ReturnedInstance(
        instance_id=submission.instance_id,
        form_id=submission.form_id,
        form_version=submission.form_version,
        xml=submission.xml,
        comments=comments,
        returned_at=review.at,
        enumerator=submission.enumerator if to_hub else None,
        seq=(review.origin_seq or review.seq) if to_hub else None,
    )


@router.get("/hub/users")
def hub_users(request: Request, user: CurrentUser) -> HubUsers:
    """For a district hub (a coordinator's token: its district's enumerators; an admin's:
    all): names, roles, districts and token hashes, revoked users too."""
    return HubUsers(users=users_for_hub(_storage(request), user))


@router.get("/forms/{form_id}/{version}")
def download_form(form_id: str, version: str, request: Request, user: CurrentUser) -> Response:
    form = _storage(request).form(form_id, None if version == "-" else version)
    if form is None:
        raise NotFound(f"no form {form_id!r} version {version!r}")
    return Response(form.xml, media_type="text/xml; charset=utf-8")


@router.get("/forms/{form_id}/{version}/media/{name}")
def download_media(
    form_id: str, version: str, name: str, request: Request, user: CurrentUser
) -> Response:
    form = _storage(request).form(form_id, None if version == "-" else version)
    if form is None or name not in form.media:
        raise NotFound(f"no media file {name!r} for form {form_id!r}")
    blobs: BlobStore = request.app.state.blobs
    return Response(blobs.read(form.media[name]), media_type="application/octet-stream")


@router.post("/review/{instance_id}")
def review(
    instance_id: str, body: ReviewRequest, request: Request, user: CurrentUser
) -> dict[str, str]:
    storage = _storage(request)
    submission = storage.submission(instance_id)
    if submission is None:
        raise NotFound(f"no submission {instance_id!r}")
    allowed = user.role == "admin" or (
        user.role == "supervisor" and submission.district == user.district
    )
    if not allowed:
        raise Forbidden("only a supervisor of this submission's district reviews it")
    if body.decision == "rejected" and not (body.comment.strip() or body.question_comments):
        raise BadRequest("a rejection needs a comment telling the enumerator what to fix")
    storage.add_review(
        ReviewRecord(
            instance_id,
            body.decision,
            body.comment,
            dict(body.question_comments),
            user.name,
            now(),
            0,
        )
    )
    return {"instance_id": instance_id, "decision": body.decision}

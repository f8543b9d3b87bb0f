"""OpenRosa for ODK Collect: app-user URLs `/v1/key/{token}/projects/{project}/...`."""

from __future__ import annotations

import hashlib
from contextlib import ExitStack
from xml.etree.ElementTree import Element

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from starlette.datastructures import FormData, UploadFile

from sync.protocol import AttachmentRef
from sync.server.api.auth import authenticate
from sync.server.api.openrosa_xml import form_list, manifest, openrosa_message
from sync.server.errors import BadRequest, Conflict, NotFound
from sync.server.intake.ingest import (
    NOT_KEPT,
    check_received_files,
    ingest,
    referenced_names,
    require_submitter_of,
)
from sync.server.intake.instance_fields import instance_fields, parse_submission
from sync.server.intake.limits import MAX_ATTACHMENTS, check_xml_size
from sync.server.quality.sections import on_attachment
from sync.server.storage import AttachmentRecord, Storage, User
from sync.server.storage.blobs import BlobStore, Incoming, safe_name

router = APIRouter(prefix="/v1/key/{token}/projects/{project}")
XML = "text/xml; charset=utf-8"
CHUNK = 1 << 16


def _headers(request: Request) -> dict[str, str]:
    return {
        "X-OpenRosa-Version": "1.0",
        "X-OpenRosa-Accept-Content-Length": str(request.app.state.body_limit),
    }


def _user(request: Request, token: str, project: str) -> User:
    user = authenticate(request, token)
    if project != request.app.state.project:
        raise NotFound(f"no project {project!r} on this server")
    return user


def _base(request: Request, token: str, project: str) -> str:
    return f"{str(request.base_url).rstrip('/')}/v1/key/{token}/projects/{project}"


@router.get("/formList")
def get_form_list(token: str, project: str, request: Request) -> Response:
    _user(request, token, project)
    storage: Storage = request.app.state.storage
    body = form_list(storage.current_forms(), _base(request, token, project))
    return Response(body, media_type=XML, headers=_headers(request))


@router.get("/forms/{form_file}")
def get_form(token: str, project: str, form_file: str, request: Request) -> Response:
    _user(request, token, project)
    form = request.app.state.storage.form(form_file.removesuffix(".xml"), None)
    if form is None:
        raise NotFound(f"no form {form_file!r}")
    return Response(form.xml, media_type=XML, headers=_headers(request))


@router.get("/forms/{form_id}/manifest")
def get_manifest(token: str, project: str, form_id: str, request: Request) -> Response:
    _user(request, token, project)
    form = request.app.state.storage.form(form_id, None)
    if form is None:
        raise NotFound(f"no form {form_id!r}")
    blobs: BlobStore = request.app.state.blobs
    md5s = {name: hashlib.md5(blobs.read(sha)).hexdigest() for name, sha in form.media.items()}
    body = manifest(form, md5s, _base(request, token, project))
    return Response(body, media_type=XML, headers=_headers(request))


@router.get("/forms/{form_id}/attachments/{name}")
def get_media(token: str, project: str, form_id: str, name: str, request: Request) -> Response:
    _user(request, token, project)
    form = request.app.state.storage.form(form_id, None)
    if form is None or name not in form.media:
        raise NotFound(f"no media file {name!r} for form {form_id!r}")
    blobs: BlobStore = request.app.state.blobs
    return Response(blobs.read(form.media[name]), headers=_headers(request))


@router.head("/submission")
def head_submission(token: str, project: str, request: Request) -> Response:
    _user(request, token, project)
    return Response(status_code=204, headers=_headers(request))


@router.post("/submission")
async def post_submission(token: str, project: str, request: Request) -> Response:
    """A submission and the files its fields name, over one or several POSTs (as ODK Collect
    splits a large one). Files stream to temporary files; one the XML does not name is not
    kept and the answer says so; one that differs from what was declared or received for
    that name is refused (409) and nothing is stored."""
    user = _user(request, token, project)
    blobs: BlobStore = request.app.state.blobs
    storage: Storage = request.app.state.storage
    form = await request.form(max_files=MAX_ATTACHMENTS + 1, max_fields=100)
    with ExitStack() as files:
        try:
            xml = await _xml(form)
            require_submitter_of(user, [xml])
            root = parse_submission(xml)
            instance_fields(root)  # a submission without its instanceID is refused first
            named = referenced_names(root)
            received: dict[str, Incoming] = {}
            ignored: list[str] = []
            for key, part in form.multi_items():
                if key == "xml_submission_file" or not isinstance(part, UploadFile):
                    continue
                name = safe_name(part.filename or key)
                if name not in named:
                    ignored.append(name)
                    continue
                received[name] = files.enter_context(blobs.receiving())
                while chunk := await part.read(CHUNK):
                    received[name].write(chunk)
        finally:
            await form.close()
        intake = _Intake(storage, blobs, user, request.app.state.body_limit)
        await run_in_threadpool(
            intake.store, xml, root, received, request.app.state.require_known_form
        )
    text = "full submission upload was successful!"
    if ignored:
        text += f" {NOT_KEPT}: {', '.join(ignored)}."
    return Response(
        openrosa_message(text), status_code=201, media_type=XML, headers=_headers(request)
    )


class _Intake:
    """Storing a received submission and its files: it waits on the database and the disk,
    so it runs in the threadpool, from plain values (no request object)."""

    def __init__(self, storage: Storage, blobs: BlobStore, user: User, file_limit: int) -> None:
        self.storage, self.blobs, self.user, self.file_limit = storage, blobs, user, file_limit

    def store(
        self, xml: str, root: Element, received: dict[str, Incoming], require_known_form: bool
    ) -> None:
        """`root` is `xml` parsed; `received`: its files, streamed to temporary files."""
        known = {a.name: a for a in self.storage.attachments(instance_fields(root).instance_id)}
        check_received_files(received, known, self.file_limit)
        with self.storage.ingestion_turn:
            result = ingest(
                self.storage,
                self.user,
                xml,
                attachments=[
                    AttachmentRef(name=n, sha256=f.sha256, size=f.size) for n, f in received.items()
                ],
                require_known_form=require_known_form,
                file_limit=self.file_limit,
                root=root,
            )
        if result.status == "rejected":
            raise BadRequest(result.message or "submission rejected")
        if result.status == "conflict":
            raise Conflict("a different submission with this instanceID is already stored")
        for name, incoming in received.items():
            digest = self.blobs.keep(incoming)
            record = AttachmentRecord(result.instance_id, name, digest, incoming.size, True)
            if self.storage.put_attachment(record):
                on_attachment(self.storage, self.blobs, result.instance_id, name)


async def _xml(form: FormData) -> str:
    main = form.get("xml_submission_file")
    if not isinstance(main, UploadFile):
        raise BadRequest("multipart part xml_submission_file is missing")
    try:
        xml = (await main.read()).decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("xml_submission_file is not UTF-8") from None
    check_xml_size(xml)
    return xml

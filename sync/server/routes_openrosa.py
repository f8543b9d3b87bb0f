"""OpenRosa for ODK Collect: app-user URLs `/v1/key/{token}/projects/{project}/...`."""

from __future__ import annotations

import hashlib

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from sync.server.auth import authenticate
from sync.server.blobs import BlobStore, safe_name
from sync.server.errors import BadRequest, Conflict, NotFound
from sync.server.ingest import ingest, require_submitter_of
from sync.server.openrosa_xml import form_list, manifest, openrosa_message
from sync.server.quality_sections import on_attachment
from sync.server.storage import AttachmentRecord, Storage, User

router = APIRouter(prefix="/v1/key/{token}/projects/{project}")
XML = "text/xml; charset=utf-8"


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
    user = _user(request, token, project)
    form = await request.form(max_files=100, max_fields=100)
    try:
        main = form.get("xml_submission_file")
        if not isinstance(main, UploadFile):
            raise BadRequest("multipart part xml_submission_file is missing")
        raw = await main.read()
        try:
            xml = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise BadRequest("xml_submission_file is not UTF-8") from None
        require_submitter_of(user, [xml])
        files: dict[str, bytes] = {}
        for key, part in form.multi_items():
            if key != "xml_submission_file" and isinstance(part, UploadFile):
                files[safe_name(part.filename or key)] = await part.read()
    finally:
        await form.close()
    storage: Storage = request.app.state.storage
    refs = [
        {"name": n, "sha256": hashlib.sha256(d).hexdigest(), "size": len(d)}
        for n, d in files.items()
    ]
    from sync.protocol import AttachmentRef

    result = ingest(
        storage,
        user,
        xml,
        attachments=[AttachmentRef.model_validate(r) for r in refs],
        require_known_form=request.app.state.require_known_form,
    )
    if result.status == "rejected":
        raise BadRequest(result.message or "submission rejected")
    if result.status == "conflict":
        raise Conflict("a different submission with this instanceID is already stored")
    blobs: BlobStore = request.app.state.blobs
    for name, data in files.items():
        digest = blobs.put(data)
        record = AttachmentRecord(result.instance_id, name, digest, len(data), True)
        if storage.put_attachment(record):
            on_attachment(storage, blobs, result.instance_id, name)
    text = "full submission upload was successful!"
    return Response(
        openrosa_message(text), status_code=201, media_type=XML, headers=_headers(request)
    )

"""Publishing a form: compile (XLSForm) or read (XForm), test-drive, store with its media."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from forms.errors import FormError, Place
from forms.testdrive import check_compiled, check_definition
from forms.xform_reader import read_xform
from forms.xlsform import compile_xlsform
from sync.server.errors import BadRequest
from sync.server.storage import FormRecord, Storage
from sync.server.storage.blobs import BlobStore

MEDIA_REF = re.compile(r"jr://(?:file|images|audio|video|file-csv)/([^\s\"'<>]+)")
TEST_RUNS = 5


@dataclass(frozen=True)
class Published:
    form: FormRecord
    changed: bool
    warnings: list[str]


def publish_file(
    storage: Storage, blobs: BlobStore, path: Path, *, runs: int = TEST_RUNS
) -> Published:
    """Publish `path` (an XLSForm or XForm); media files it names are taken from its folder."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise BadRequest(f"{path}: cannot read ({error.strerror})") from None
    try:
        if data.lstrip()[:1] == b"<":
            xform = data.decode("utf-8")
            definition = read_xform(xform, source_name=path.name)
            report = check_definition(
                definition,
                lambda field, column: _place(path, field, column),
                runs=runs,
                folder=path.parent,
            )
        else:
            compiled = compile_xlsform(data, filename=path.name)
            xform = compiled.xform
            definition = read_xform(xform, source_name=path.name)
            report = check_compiled(compiled, runs=runs, folder=path.parent)
    except FormError as error:
        raise BadRequest("\n".join(str(p) for p in error.problems)) from None
    except UnicodeDecodeError:
        raise BadRequest(f"{path}: an XForm must be UTF-8 text") from None
    if not report.ok:
        raise BadRequest(report.render())
    return publish_xform(
        storage,
        blobs,
        xform,
        form_id=definition.form_id,
        version=definition.version,
        title=definition.title,
        folder=path.parent,
        warnings=[str(w) for w in report.warnings],
    )


def _place(path: Path, field: str, column: str | None) -> Place:
    return Place(path.name, field=field, column=column)


def publish_xform(
    storage: Storage,
    blobs: BlobStore,
    xform: str,
    *,
    form_id: str,
    version: str | None,
    title: str,
    folder: Path | None = None,
    media_files: dict[str, bytes] | None = None,
    warnings: list[str] | None = None,
) -> Published:
    media: dict[str, str] = {}
    files = dict(media_files or {})
    if folder is not None:
        for name in sorted(set(MEDIA_REF.findall(xform))):
            candidate = folder / name
            if candidate.is_file() and name not in files:
                files[name] = candidate.read_bytes()
    for name, content in files.items():
        media[name] = blobs.put(content)
    md5 = hashlib.md5(xform.encode("utf-8"), usedforsecurity=False).hexdigest()
    current = storage.form(form_id, version) or storage.form(form_id, None)
    if current is not None and current.md5 == md5 and current.media == media:
        return Published(current, False, warnings or [])
    if current is not None and version and current.version == version and current.md5 != md5:
        raise BadRequest(
            f"form {form_id!r} version {version!r} is already published with other content;"
            " change the version (settings sheet) to publish this one"
        )
    record = storage.put_form(FormRecord(form_id, version, title, md5, xform, 0, media))
    return Published(record, True, warnings or [])

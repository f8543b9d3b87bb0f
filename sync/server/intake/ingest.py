"""Taking in a submission: stored, duplicate (same instanceID, same XML) or conflict.

Both the batch API and OpenRosa go through `ingest`; the instanceID is the
idempotency key, so a resend is never an error and never a second copy. The XML is
parsed once; the derived rows (flags, report, exports) are written from the same tree.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, TypedDict, Unpack
from xml.etree.ElementTree import Element

from sync.protocol import AttachmentRef, ItemResult
from sync.server.api.auth import SUBMITTERS
from sync.server.errors import BadRequest, Conflict, Forbidden
from sync.server.intake.derived_rows import write_derived_rows
from sync.server.intake.instance_fields import instance_fields, parse_submission, read_instance
from sync.server.intake.limits import (
    check_attachments,
    check_fields,
    check_instance_id,
    check_xml_size,
)
from sync.server.quality.config import QualityConfig
from sync.server.quality.sections import AUDIT
from sync.server.storage import AttachmentRecord, Storage, SubmissionRecord, User
from sync.server.storage.blobs import Incoming, safe_name

SHA256 = re.compile(r"[0-9a-fA-F]{64}")
FormVersions = Callable[[str, str | None], tuple[str, str] | None]
"""(form_id, version) → (version, md5) of that version, else of the form's current one; None
for a form never published (`ExportRows.form_version`)."""
NOT_KEPT = "Not kept, as no field of the submission names them"


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class Checks(TypedDict, total=False):
    """What `ingest` and `prepare` take besides the submission's XML and its maker."""

    instance_id: str | None
    """The instanceID the sender gave with the XML, which its meta/instanceID must match."""
    attachments: Sequence[AttachmentRef]
    """The files declared with it."""
    device_id: str | None
    require_known_form: bool
    """Reject a form not published here (True by default; a district hub's forms come from
    upstream)."""
    file_limit: int | None
    """The most bytes one attachment may declare (the server's body limit)."""
    root: Element | None
    """The XML parsed, when the caller has already parsed it (OpenRosa and the import read
    its file names first)."""
    via: str | None
    """The district hub that forwarded it for its maker."""
    form_versions: FormVersions | None
    """The lookup of form versions the caller keeps for several submissions (a batch reads
    each once)."""


def ingest(
    storage: Storage,
    user: User,
    xml: str,
    *,
    quality: QualityConfig | None = None,
    **checks: Unpack[Checks],
) -> ItemResult:
    """Store one submission for `user`; raises nothing for a bad item, it is "rejected".

    A well-formed declared file that no field of the XML names is not kept, nor asked for;
    the result names it (as OpenRosa does for such a file). `quality`: the quality settings
    the flags follow, when the caller read them for several submissions (a batch); else
    they are read for this one."""
    item = prepare(storage, user, xml, **checks)
    if isinstance(item, ItemResult):
        return item
    stored = storage.add_submission(item.record, item.expected)
    return finish(storage, item, stored, quality)


@dataclass(frozen=True)
class Prepared:
    """A submission checked and ready to store, with what its answer and its derived rows
    need."""

    record: SubmissionRecord
    expected: list[AttachmentRecord]
    """Its declared files that a field names, none received yet."""
    root: Element
    form_version: tuple[str, str] | None
    """(version, md5) of the form version its export rows follow."""
    named: list[str]
    """The names of those files, sorted."""
    ignored: list[str]
    """Declared files no field names: not kept."""


def prepare(
    storage: Storage, user: User, xml: str, **checks: Unpack[Checks]
) -> Prepared | ItemResult:
    """The checks of `ingest`: the submission ready to store, or the result that rejects
    it."""
    instance_id = checks.get("instance_id")
    attachments = checks.get("attachments", ())
    root = checks.get("root")
    try:
        check_xml_size(xml)
        root = parse_submission(xml) if root is None else root
        fields = instance_fields(root)
        if instance_id is not None and fields.instance_id != instance_id:
            raise BadRequest(
                f"instance_id {instance_id!r} differs from the XML's meta/instanceID"
                f" {fields.instance_id!r}"
            )
        check_instance_id(fields.instance_id)
        check_fields(root)
        check_attachments([a.size for a in attachments], checks.get("file_limit"))
        declared = [
            AttachmentRef(name=safe_name(a.name), sha256=_sha256(a), size=a.size)
            for a in attachments
        ]
        named = referenced_names(root)
        refs = [ref for ref in declared if ref.name in named]
        ignored = [ref.name for ref in declared if ref.name not in named]
        # (version, md5) of the submission's version, else the current one: a lookup that
        # does not read the form's XML, and None only for a form never published here
        lookup = checks.get("form_versions") or storage.export_rows.form_version
        form_version = lookup(fields.form_id, fields.version)
        if checks.get("require_known_form", True) and form_version is None:
            raise BadRequest(f"form {fields.form_id!r} is not published on this server")
        if fields.deprecated_id:
            _check_edit(storage, user, fields.instance_id, fields.deprecated_id)
    except BadRequest as error:
        return ItemResult(instance_id=instance_id or "", status="rejected", message=error.message)
    record = SubmissionRecord(
        instance_id=fields.instance_id,
        form_id=fields.form_id,
        form_version=fields.version,
        xml=xml,
        xml_sha256=hashlib.sha256(xml.encode("utf-8")).hexdigest(),
        deprecated_id=fields.deprecated_id,
        instance_name=fields.instance_name,
        submitted_at=now(),
        enumerator=user.name,
        district=user.district,
        device_id=checks.get("device_id"),
        via=checks.get("via"),
    )
    expected = [
        AttachmentRecord(fields.instance_id, ref.name, ref.sha256, ref.size, False) for ref in refs
    ]
    return Prepared(record, expected, root, form_version, sorted({r.name for r in refs}), ignored)


def finish(
    storage: Storage, item: Prepared, stored: bool, quality: QualityConfig | None = None
) -> ItemResult:
    """The answer for `item` once the storage said whether it `stored` it: a new one gets
    its derived rows; else it is a duplicate (same XML from the same enumerator) or a
    conflict."""
    record = item.record
    if stored:
        write_derived_rows(
            storage, record, item.root, form_version=item.form_version, quality=quality
        )
        # A new instanceID: its files are those just listed, none received yet (the client
        # learns that it may send them from this answer).
        return _result(record.instance_id, "stored", item.named, item.ignored)
    existing = storage.submission(record.instance_id)
    if (
        existing is not None
        and existing.xml_sha256 == record.xml_sha256
        and existing.enumerator == record.enumerator
    ):
        missing = [a.name for a in storage.attachments(record.instance_id) if not a.received]
        return _result(record.instance_id, "duplicate", missing, item.ignored)
    return ItemResult(
        instance_id=record.instance_id,
        status="conflict",
        message="another submission with this instanceID is already stored",
    )


def _sha256(attachment: AttachmentRef) -> str:
    if not SHA256.fullmatch(attachment.sha256):
        raise BadRequest(f"attachment {attachment.name!r}: sha256 is not 64 hex digits")
    return attachment.sha256.lower()


def referenced_names(root: Element) -> set[str]:
    """The answers that could name a file of the submission (a photo, a signature): an
    attachment is part of a submission only when one of its fields holds its name. The
    paradata log is always `audit.csv` (ODK Collect names it in meta/audit; our app sends it
    with forms that do not)."""
    return {text for e in root.iter() if e.text and len(text := e.text.strip()) <= 200} | {AUDIT}


def _check_edit(storage: Storage, user: User, instance_id: str, deprecated_id: str) -> None:
    """An edit replaces a submission its editor owns or supervises, and only once."""
    old = storage.submission(deprecated_id)
    if old is None:
        return
    supervises = user.role == "supervisor" and user.district == old.district
    if old.enumerator != user.name and not supervises and user.role != "admin":
        raise BadRequest(
            f"edit refused: submission {deprecated_id!r} (meta/deprecatedID) is not yours"
            " and not of a district you supervise"
        )
    if old.replaced_by not in (None, instance_id):
        raise BadRequest(
            f"edit refused: submission {deprecated_id!r} was already replaced by"
            f" {old.replaced_by!r}; edit that one instead"
        )


def require_submitter_of(user: User, xmls: Sequence[str]) -> None:
    """Enumerators, coordinators and admins submit; a supervisor only edits (deprecatedID)."""
    if user.role in SUBMITTERS:
        return
    if user.role == "supervisor":
        try:
            if all(read_instance(xml).deprecated_id for xml in xmls):
                return
        except BadRequest:
            pass
        raise Forbidden("a supervisor submits only edits (meta/deprecatedID) of submissions")
    raise Forbidden(f"a {user.role} cannot submit")


def _result(
    instance_id: str,
    status: Literal["stored", "duplicate"],
    missing: list[str],
    ignored: list[str],
) -> ItemResult:
    """`missing`: the files still to send; declared files no field names are not kept, and
    said so."""
    message = f"{NOT_KEPT}: {', '.join(ignored)}." if ignored else None
    return ItemResult(
        instance_id=instance_id,
        status=status,
        missing_attachments=missing,
        message=message,
        ignored_attachments=ignored,
    )


def check_received_files(
    received: dict[str, Incoming], known: dict[str, AttachmentRecord], file_limit: int | None
) -> None:
    """Files received for a submission must match what was declared (batch API) or received
    before under their names (Conflict), and with those stay within the limits."""
    for name, incoming in received.items():
        if name in known and known[name].sha256 != incoming.sha256:
            said = "received" if known[name].received else "declared"
            raise Conflict(f"attachment {name!r} differs from the sha256 {said} for it before")
    sizes = {name: a.size for name, a in known.items()}
    sizes.update((name, incoming.size) for name, incoming in received.items())
    check_attachments(sizes.values(), file_limit)

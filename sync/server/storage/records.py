"""The records the server keeps (users, forms, submissions, attachments, reviews)."""

from __future__ import annotations

from dataclasses import dataclass, field

ROLES = ("admin", "coordinator", "supervisor", "enumerator")


@dataclass(frozen=True)
class User:
    name: str
    role: str
    district: str | None
    revoked: bool = False


@dataclass(frozen=True)
class FormRecord:
    form_id: str
    version: str | None
    title: str
    md5: str
    xml: str
    seq: int
    media: dict[str, str] = field(default_factory=dict)
    """Media file name to the sha256 of its content (files in the blob store)."""


@dataclass(frozen=True)
class SubmissionRecord:
    instance_id: str
    form_id: str
    form_version: str | None
    xml: str
    xml_sha256: str
    deprecated_id: str | None
    instance_name: str | None
    submitted_at: str
    enumerator: str
    district: str | None
    device_id: str | None
    replaced_by: str | None = None
    """The instanceID of the edit that replaced this submission (its meta/deprecatedID)."""
    via: str | None = None
    """The district hub (its coordinator's user name) that forwarded it; None when direct."""


@dataclass(frozen=True)
class AttachmentRecord:
    instance_id: str
    name: str
    sha256: str
    size: int
    received: bool


@dataclass(frozen=True)
class ReviewRecord:
    instance_id: str
    decision: str
    comment: str
    question_comments: dict[str, str]
    author: str
    at: str
    seq: int
    origin_seq: int | None = None
    """On a district hub, the central server's number for a return it relayed (`seq` is
    the hub's own); None for a decision taken here."""


@dataclass(frozen=True)
class ReturnScope:
    """Whose returned interviews a pull brings: one enumerator's, a district's, or (both
    None) every one's."""

    enumerator: str | None = None
    district: str | None = None

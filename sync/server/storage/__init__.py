"""What the routes need from storage: a small interface, so PostgreSQL can come later."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

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


class Storage(Protocol):
    """Everything the server keeps. Each method is one transaction."""

    def add_user(self, user: User, token_hash: str) -> None: ...
    def user_by_token(self, token_hash: str) -> User | None: ...
    def user(self, name: str) -> User | None: ...
    def set_token(self, name: str, token_hash: str) -> None: ...
    def revoke(self, name: str) -> bool: ...
    def hub_users(self, district: str | None) -> list[tuple[User, str]]: ...
    def replace_users(self, users: Sequence[tuple[User, str]]) -> None: ...

    def put_form(self, form: FormRecord) -> FormRecord: ...
    def current_forms(self) -> list[FormRecord]: ...
    def form(self, form_id: str, version: str | None) -> FormRecord | None: ...

    def submission(self, instance_id: str) -> SubmissionRecord | None: ...
    def add_submission(
        self,
        record: SubmissionRecord,
        attachments: Sequence[AttachmentRecord],
        outbox: str = "pending",
    ) -> bool: ...
    def count_submissions(self) -> int: ...
    def attachments(self, instance_id: str) -> list[AttachmentRecord]: ...
    def put_attachment(self, record: AttachmentRecord) -> bool: ...

    def add_review(self, review: ReviewRecord) -> ReviewRecord: ...
    def returned_since(self, scope: ReturnScope, seq: int) -> list[ReviewRecord]: ...
    def reviews(self, instance_id: str) -> list[ReviewRecord]: ...
    def last_seq(self) -> int: ...

    def outbox_pending(self, limit: int) -> list[SubmissionRecord]: ...
    def outbox_mark(self, instance_id: str, state: str, message: str | None) -> None: ...
    def outbox_state(self, instance_id: str) -> str | None: ...
    def get_setting(self, key: str) -> str | None: ...
    def set_setting(self, key: str, value: str) -> None: ...

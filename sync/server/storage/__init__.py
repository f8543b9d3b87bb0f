"""What the server needs from storage: records, repositories of derived rows, and the
`Storage` interface a backend implements (SQLite in `storage.sqlite`; see docs/storage.md)."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Protocol

from sync.server.storage.records import (
    ROLES,
    AttachmentRecord,
    FormRecord,
    ReturnScope,
    ReviewRecord,
    SubmissionRecord,
    User,
)
from sync.server.storage.repositories import (
    ExportRows,
    Jobs,
    QualityFacts,
    RateLimits,
    ReportRows,
    ReviewIndex,
    WorkLocks,
)

__all__ = [
    "ROLES",
    "AttachmentRecord",
    "FormRecord",
    "ReturnScope",
    "ReviewRecord",
    "Storage",
    "SubmissionRecord",
    "User",
]


class Storage(Protocol):
    """Everything the server keeps. Each method is one transaction."""

    @property
    def location(self) -> str:
        """Where the data lives (a SQLite file's path, or the PostgreSQL URL without its
        password): one review index per location."""
        ...

    @property
    def quality_facts(self) -> QualityFacts: ...
    @property
    def export_rows(self) -> ExportRows: ...
    @property
    def report_rows(self) -> ReportRows: ...
    @property
    def jobs(self) -> Jobs: ...
    @property
    def rate_limits(self) -> RateLimits: ...
    @property
    def work_locks(self) -> WorkLocks: ...
    @property
    def ingestion_turn(self) -> AbstractContextManager[object]:
        """Held by a thread while it ingests a submission: SQLite writes one at a time
        anyway, so its threads take turns (parsing beside another's write only contends for
        the interpreter); PostgreSQL lets them all in."""
        ...

    def derived_writes(self) -> AbstractContextManager[bool]:
        """A block in which one thread writes a submission's derived rows (quality facts,
        report row, export rows). It yields True when they then share one transaction
        (PostgreSQL: they commit together, or none does), False when each repository still
        commits its own (SQLite)."""
        ...

    def open_review_index(self) -> ReviewIndex:
        """A reader of the review queue on a connection of its own."""
        ...

    def close(self) -> None:
        """Release the database connection (SQLite) or connection pool (PostgreSQL)."""
        ...

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
    def add_submissions(
        self, items: Sequence[tuple[SubmissionRecord, Sequence[AttachmentRecord]]]
    ) -> list[bool]:
        """`add_submission` of several new submissions, none an edit (deprecatedID), in order;
        whether each was stored. PostgreSQL commits them together."""
        ...

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

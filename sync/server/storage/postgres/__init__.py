"""The PostgreSQL storage: one database that several server processes and machines share
(psycopg 3 and its pool, numbered migrations; see docs/storage.md)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

from sync.server.storage.postgres.accounts import Accounts
from sync.server.storage.postgres.base import DatabaseUnavailable, without_password
from sync.server.storage.postgres.derived import DerivedWrites
from sync.server.storage.postgres.export_rows import PgExportRows
from sync.server.storage.postgres.jobs import PgJobs
from sync.server.storage.postgres.quality import PgQualityFacts
from sync.server.storage.postgres.rate_limits import PgRateLimits, PgWorkLocks
from sync.server.storage.postgres.report_rows import PgReportRows
from sync.server.storage.postgres.review_index import PgReviewIndex
from sync.server.storage.postgres.reviews import Reviews
from sync.server.storage.postgres.schema import MIGRATIONS
from sync.server.storage.postgres.submissions import LastInserted, Submissions

__all__ = ["MIGRATIONS", "DatabaseUnavailable", "PostgresStorage", "without_password"]


class PostgresStorage(Accounts, Submissions, Reviews):
    """Everything the server keeps, in one PostgreSQL database (`storage.Storage`); the
    repositories of derived rows draw on the same pool."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.location = without_password(url)
        self.derived = DerivedWrites(self.derived_pool)
        self.quality_facts = PgQualityFacts(self.pool, self.derived)
        self.export_rows = PgExportRows(self.url, self.pool, self.derived)
        self.last_inserted = LastInserted()
        self.report_rows = PgReportRows(self.url, self.pool, self.last_inserted, self.derived)
        self.jobs, self.rate_limits = PgJobs(self.pool), PgRateLimits(self.pool)
        self.work_locks = PgWorkLocks(url)
        self.ingestion_turn = nullcontext()

    @contextmanager
    def derived_writes(self) -> Iterator[bool]:
        """The derived rows the thread writes in the block share one transaction (see
        `postgres.derived`): True, they commit together or not at all."""
        with self.derived.shared() as together:
            yield together

    def open_review_index(self) -> PgReviewIndex:
        """A reader of the review queue on a pool of its own; its `close()`, or the
        storage's, ends that pool."""
        reader = PgReviewIndex(self.url)
        self.readers.callback(reader.close)
        return reader

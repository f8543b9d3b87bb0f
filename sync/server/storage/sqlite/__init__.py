"""The SQLite storage of a data directory (sqlite-utils, WAL, numbered migrations)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from sync.server.storage.sqlite.accounts import Accounts
from sync.server.storage.sqlite.export_rows import SqliteExportRows
from sync.server.storage.sqlite.jobs import MemoryRateLimits, SqliteJobs, ThreadWorkLocks
from sync.server.storage.sqlite.quality import SqliteQualityFacts
from sync.server.storage.sqlite.report_rows import SqliteReportRows
from sync.server.storage.sqlite.review_index import SqliteReviewIndex
from sync.server.storage.sqlite.reviews import Reviews
from sync.server.storage.sqlite.schema import MIGRATIONS
from sync.server.storage.sqlite.submissions import Submissions

__all__ = ["MIGRATIONS", "SqliteStorage"]


class SqliteStorage(Accounts, Submissions, Reviews):
    """Everything the server keeps, in one SQLite file (`storage.Storage`); the repositories
    of derived rows work on the same connection under the same lock."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.location = str(path.resolve())
        self.quality_facts = SqliteQualityFacts(self.db.conn, self._lock)
        self.export_rows = SqliteExportRows(self.location, self.db.conn, self._lock)
        self.report_rows = SqliteReportRows(self.location, self.db.conn, self._lock)
        self.jobs, self.rate_limits = SqliteJobs(self.db.conn, self._lock), MemoryRateLimits()
        self.work_locks = ThreadWorkLocks()
        self.ingestion_turn = threading.Lock()
        self.readers = ExitStack()

    @contextmanager
    def derived_writes(self) -> Iterator[bool]:
        """False: each repository of derived rows commits its own transaction, as outside
        the block. On SQLite a transaction is a few calls in this process (under the
        storage's lock, with no wait for the disk), not round trips to a server."""
        yield False

    def open_review_index(self) -> SqliteReviewIndex:
        """A reader on a connection of its own; its `close()`, or the storage's, ends it."""
        reader = SqliteReviewIndex(Path(self.location))
        self.readers.callback(reader.close)
        return reader

    def close(self) -> None:
        self.readers.close()
        super().close()

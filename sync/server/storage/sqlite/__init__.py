"""The SQLite storage of a data directory (sqlite-utils, WAL, numbered migrations)."""

from __future__ import annotations

from sync.server.storage.sqlite.accounts import Accounts
from sync.server.storage.sqlite.reviews import Reviews
from sync.server.storage.sqlite.schema import MIGRATIONS
from sync.server.storage.sqlite.submissions import Submissions

__all__ = ["MIGRATIONS", "SqliteStorage"]


class SqliteStorage(Accounts, Submissions, Reviews):
    """Everything the server keeps, in one SQLite file (`storage.Storage`)."""

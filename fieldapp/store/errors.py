"""The store's one exception: a code from the app's message catalog, with its parameters."""

from __future__ import annotations

import errno
import sqlite3

from fieldapp.i18n import translator

_english = translator("en")


class StoreError(Exception):
    """A store failure the UI can show: `code` is a key of `fieldapp/i18n/*.json`.

    `message` is the English text; the UI shows `translator(lang)(code, **params)`.
    """

    def __init__(self, code: str, **params: object) -> None:
        self.code = code
        self.params = params
        self.message = _english(code, **params)
        super().__init__(self.message)


def is_disk_full(error: BaseException) -> bool:
    """True for SQLite's SQLITE_FULL and for an OS write that found no space left."""
    if isinstance(error, sqlite3.Error):
        code = getattr(error, "sqlite_errorcode", None)
        return code == sqlite3.SQLITE_FULL or "database or disk is full" in str(error)
    return isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT)


def store_error_from(error: BaseException) -> StoreError:
    """The `StoreError` for a low-level failure that happened while writing or reading."""
    if is_disk_full(error):
        return StoreError("store.disk_full")
    if isinstance(error, sqlite3.OperationalError) and "locked" in str(error):
        return StoreError("store.busy")
    if isinstance(error, sqlite3.DatabaseError) and not isinstance(
        error, sqlite3.IntegrityError | sqlite3.ProgrammingError
    ):
        return StoreError("store.corrupt", detail=str(error))
    if isinstance(error, OSError):
        return StoreError("store.io_error", detail=error.strerror or str(error))
    return StoreError("store.failed", detail=str(error))

"""Which storage a server opens: SQLite in its data directory (the default), or a PostgreSQL
database that several server processes and machines share. Attachments always live in the
data directory's `blobs` folder, which every process of one server must share.

PostgreSQL's driver is imported only when a PostgreSQL database is chosen."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sync.server.storage import Storage
from sync.server.storage.blobs import BlobStore
from sync.server.storage.sqlite import SqliteStorage

if TYPE_CHECKING:
    from sync.server.storage.postgres import PostgresStorage

DATABASE_ENV = "FIELDAPP_DATABASE_URL"
SQLITE_FILE = "server.db"
"""The SQLite database's name in the data directory."""
SQLITE = "sqlite:"
"""Chooses SQLite in the data directory even where FIELDAPP_DATABASE_URL names another."""
POSTGRES_SCHEMES = ("postgresql://", "postgres://")
DATABASE_HELP = (
    f"the database: postgresql://USER[:PASSWORD]@HOST[:PORT]/NAME (or {DATABASE_ENV});"
    f" default: SQLite in --data ({SQLITE} says so explicitly). With PostgreSQL, --data still"
    " holds the attachments (its blobs folder): every process of the server must share it"
)


class UnusableDatabase(Exception):
    """The database chosen cannot be opened: a form this server does not know, a malformed
    URL, an unreachable server. The message names the option (or variable) and the database,
    never its password, on one line."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class DatabaseChoice:
    """A PostgreSQL connection string (`url`), or None for SQLite in the data directory;
    `source` is where the choice came from, to name it in messages."""

    url: str | None
    source: str

    @property
    def shown(self) -> str:
        """The choice as it may be printed: the PostgreSQL URL without its password."""
        return "SQLite" if self.url is None else _masked(self.url)


def _masked(text: str) -> str:
    """`text` with the password of a URL or a key=value string left out."""
    if "://" not in text and "=" not in text:
        return text
    from sync.server.storage.postgres import without_password

    return without_password(text)


def choose_database(database: str | None = None) -> DatabaseChoice:
    """`database` as given (`--database`), else FIELDAPP_DATABASE_URL; empty means SQLite."""
    source = "--database"
    if database is None:
        database, source = os.environ.get(DATABASE_ENV, ""), f"--database (from {DATABASE_ENV})"
    text = database.strip()
    if not text or text.lower() == SQLITE:
        return DatabaseChoice(None, source)
    if text.lower().startswith(POSTGRES_SCHEMES) or ("=" in text and "://" not in text):
        return DatabaseChoice(text, source)
    raise UnusableDatabase(
        f"{source} {_masked(text)!r}: not a database this server can use; give"
        " postgresql://USER@HOST:PORT/NAME (or postgres://…, or libpq's 'host=… dbname=…'),"
        f" or {SQLITE} (or nothing) for SQLite in --data"
    )


def open_storage(data: Path, database: str | None = None) -> tuple[Storage, BlobStore]:
    """The storage `database` chooses (see `choose_database`) and the blob directory
    `data/blobs`; `UnusableDatabase` if it cannot be opened."""
    choice = choose_database(database)
    if choice.url is None:
        data.mkdir(parents=True, exist_ok=True)
        return SqliteStorage(data / SQLITE_FILE), BlobStore(data / "blobs")
    storage = _postgres(choice.url, choice.source)
    return storage, BlobStore(data / "blobs")


def check_database(database: str | None = None) -> DatabaseChoice:
    """Open the chosen PostgreSQL database once, applying its migrations, and close it: what
    `serve --workers N` does before it starts the workers, so that a database that cannot be
    used is said in one line, not once per worker. SQLite is not opened."""
    choice = choose_database(database)
    if choice.url is not None:
        _postgres(choice.url, choice.source).close()
    return choice


def _postgres(url: str, source: str) -> PostgresStorage:
    from sync.server.storage.postgres import DatabaseUnavailable, PostgresStorage

    try:
        return PostgresStorage(url)
    except DatabaseUnavailable as error:
        said = " ".join(str(error).split())
        raise UnusableDatabase(f"{source}: {said}") from None


def backup_storage(data: Path, target: Path, database: str | None = None) -> int:
    """Copy the SQLite database of `data` to `target` while a server may be writing to it;
    the number of submissions the copy holds. A PostgreSQL database is backed up with
    pg_dump instead (docs/deployment.md), which `UnusableDatabase` says."""
    choice = choose_database(database)
    if choice.url is not None:
        raise UnusableDatabase(
            f"{choice.source}: backup copies a SQLite database; back up PostgreSQL with"
            f" pg_dump -Fc (see docs/deployment.md), and {data / 'blobs'} beside it"
        )
    from sync.server.storage.sqlite.backup import backup

    return backup(data / SQLITE_FILE, target)

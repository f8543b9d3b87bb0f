"""A consistent copy of a running server's SQLite database, by SQLite's online backup API.

The copy is taken in one step inside one read transaction: in WAL mode the server's writers
go on meanwhile, and the copy holds every transaction committed before it began and none
after. It is written beside its target and renamed into place once complete, so a backup
interrupted halfway never leaves a truncated file under the target's name."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path


class BackupFailed(Exception):
    """The copy could not be made; the message names the file and why, and the target is
    left as it was."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def backup(database: Path, target: Path) -> int:
    """Copy `database` to `target`; the number of submissions the copy holds."""
    if not database.is_file():
        raise BackupFailed(f"{database}: no server database here to back up")
    if target.resolve() == database.resolve():
        raise BackupFailed(f"--to {target}: that is the database itself; name another file")
    partial = target.with_name(f".{target.name}.partial")
    try:
        with closing(sqlite3.connect(database)) as source:
            with closing(sqlite3.connect(partial)) as copy:
                source.backup(copy)
                found = copy.execute("SELECT count(*) FROM submissions").fetchone()
        partial.replace(target)
    except (OSError, sqlite3.Error) as error:
        raise BackupFailed(f"cannot back up {database} to {target}: {error}") from None
    finally:
        partial.unlink(missing_ok=True)
    return int(found[0])

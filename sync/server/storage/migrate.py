"""`migrate-data`: a SQLite server's data copied into PostgreSQL, then checked table by table.

The source is read in one read transaction (a snapshot; a server may still run on it), a
batch at a time; each batch is written in one transaction by the rows' keys, so a second
run changes nothing and a stopped run is finished by the next. Numbers keep their meaning:
reviews, events and forms keep their `seq`, submissions their order of arrival as `pos`
(SQLite's rowid), and the target's counters carry on past the highest copied, so the
cursors devices hold still count the same returns. At the end every table is compared on
both sides (`migrate_verify`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

from sync.server.storage.migrate_blobs import BlobsCopied, copy_blobs
from sync.server.storage.migrate_source import BATCH, MigrationFailed, SqliteSource
from sync.server.storage.migrate_tables import (
    CORE,
    DERIVED,
    EVENTS,
    SUBMISSIONS,
    Table,
    report_table,
)
from sync.server.storage.migrate_target import MARKER, PgTarget
from sync.server.storage.migrate_verify import Checked, compare
from sync.server.storage.postgres.base import DatabaseUnavailable, without_password
from sync.server.storage.repositories import ReportLayout

__all__ = ["Migration", "MigrationFailed", "MigrationRefused", "migrate_data"]

NUMBERS = ((EVENTS, "seq"), (SUBMISSIONS, "pos"))
"""The counters a target must not have passed: events (reviews, forms) and positions."""


class MigrationRefused(MigrationFailed):
    """The target cannot take this copy (nothing was written)."""


@dataclass
class Copied:
    written: int
    checked: Checked


@dataclass
class Migration:
    """What a run wrote and found: per table, its copy and check; tables not copied and why;
    the blobs, when moved."""

    tables: list[Copied] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    blobs: BlobsCopied | None = None

    @property
    def same(self) -> bool:
        blobs_same = self.blobs is None or self.blobs.same
        return blobs_same and all(t.checked.same for t in self.tables)


def _claim(source: SqliteSource, target: PgTarget, database: str) -> None:
    """Refuse a target that holds another server's data, or that servers have written to
    since an earlier copy; else mark it as this source's copy."""
    origin = str(source.path)
    marked = target.get_setting(MARKER)
    if marked not in (None, origin):
        raise _foreign(database, str(marked), origin)
    if marked is None:
        held = {name: n for name, n in target.holdings().items() if n}
        if held:
            tokens = source.tokens()
            others = sorted(n for n, t in target.tokens(list(tokens)).items() if tokens[n] != t)
            said = ", ".join(f"{n} {name}" for name, n in held.items())
            who = f"; users {', '.join(others)} have other tokens there" if others else ""
            raise MigrationRefused(
                f"--database {database} already holds another server's data ({said}{who}):"
                " give an empty database (nothing was copied)"
            )
    for table, column in NUMBERS:
        theirs, ours = target.top(table, column), source.top(table, column)
        if theirs > ours:
            raise MigrationRefused(
                f"--database {database} has {table.name} numbered past the source's"
                f" ({column} {theirs} > {ours}): servers have written to it since the copy,"
                " and migrate-data does not merge (nothing was copied)"
            )
    marked = target.mark(origin)  # two runs at once: the first to mark it copies
    if marked != origin:
        raise _foreign(database, marked, origin)


def _foreign(database: str, marked: str, origin: str) -> MigrationRefused:
    return MigrationRefused(
        f"--database {database} holds a copy of {marked}, not of {origin}:"
        " give an empty database, or that server's --from-data (nothing was copied)"
    )


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())


def _flat(batches: Iterator[list[dict[str, Any]]]) -> Iterator[dict[str, Any]]:
    for batch in batches:
        yield from batch


def _tables(source: SqliteSource, layout: ReportLayout | None, done: Migration) -> list[Table]:
    tables = [*CORE, *DERIVED]
    if layout is None:
        return tables
    table = report_table(layout)
    same = source.columns(table.name) == list(layout.columns)
    if same and source.report_version() == layout.version:
        return [*tables, table]
    if source.has(table.name):
        done.skipped.append(
            f"{table.name}: another layout than this server's ({layout.version});"
            " the first report rebuilds its rows"
        )
    return tables


def migrate_data(
    from_data: Path,
    database: str,
    *,
    to_data: Path | None = None,
    report: ReportLayout | None = None,
    say: Callable[[str], None] = lambda line: None,
    batch: int = BATCH,
) -> Migration:
    """Copy the SQLite server of `from_data` into the PostgreSQL `database` and compare
    them; `report` is the layout of the report rows to copy (rows of another are left for
    the first report to rebuild). `say` hears of each batch written."""
    shown = without_password(database)
    source = SqliteSource(from_data)
    try:
        try:
            target = PgTarget(database)
        except DatabaseUnavailable as error:
            raise MigrationFailed(f"--database: {_one_line(error)}") from None
        try:
            return _run(source, target, shown, to_data, report, say, batch)
        except psycopg.Error as error:
            raise MigrationFailed(
                f"--database {shown}: the copy stopped ({_one_line(error)}); what was"
                " written stays, and the next run finishes it"
            ) from None
        finally:
            target.close()
    except sqlite3.Error as error:
        raise MigrationFailed(
            f"--from-data {from_data}: reading stopped ({_one_line(error)})"
        ) from None
    finally:
        source.close()


def _run(
    source: SqliteSource,
    target: PgTarget,
    shown: str,
    to_data: Path | None,
    report: ReportLayout | None,
    say: Callable[[str], None],
    batch: int,
) -> Migration:
    done = Migration()
    _claim(source, target, shown)
    tables = _tables(source, report, done)
    if report is not None and any(t.name == "report_households" for t in tables):
        target.report_rows.write(report, [], [])
    written = {t.name: _copy(source, target, t, say, batch) for t in tables}
    target.carry_numbering()
    if to_data is not None:
        say(f"blobs: copying {source.path.parent / 'blobs'} to {to_data / 'blobs'}")
        done.blobs = copy_blobs(source.path.parent / "blobs", to_data / "blobs")
    for table in tables:
        say(f"{table.name}: checking")
        checked = compare(table, _flat(source.rows(table, batch)), target.rows(table))
        done.tables.append(Copied(written[table.name], checked))
    return done


def _copy(
    source: SqliteSource,
    target: PgTarget,
    table: Table,
    say: Callable[[str], None],
    batch: int,
) -> int:
    written = read = 0
    for rows in source.rows(table, batch):
        written, read = written + target.write(table, rows), read + len(rows)
        say(f"{table.name}: {read} read, {written} written")
    return written

"""`fieldapp-server migrate-data`: a SQLite server moved up to PostgreSQL (the library does the
work, `storage.migrate`, imported with PostgreSQL's driver only when the command runs; this
parses the options and prints what was copied and checked)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from sync.server.storage.open import UnusableDatabase, choose_database

if TYPE_CHECKING:
    from sync.server.storage.migrate import Migration

EXAMPLE = (
    "fieldapp-server migrate-data --from-data ./serverdata"
    " --database postgresql://fieldapp@db.example.org/fieldapp"
)
TEXT = (
    "Copy a SQLite server's data (--from-data) into a PostgreSQL database, then compare every"
    " table on both sides; safe to run again (it finishes a stopped run, and changes nothing"
    " after a complete one). Attachments stay in --from-data's blobs folder (serve with"
    " --data there) unless --to-data names a new data folder to copy them into."
)


def add_migrate(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "migrate-data", help=TEXT, description=TEXT, epilog=f"example: {EXAMPLE}"
    )
    parser.add_argument("--from-data", type=Path, required=True, help="the SQLite server's data")
    parser.add_argument(
        "--database",
        metavar="URL",
        help="the PostgreSQL database: postgresql://USER[:PASSWORD]@HOST[:PORT]/NAME"
        " (or FIELDAPP_DATABASE_URL); empty, or a copy of this same source",
    )
    parser.add_argument(
        "--to-data",
        type=Path,
        metavar="DIR",
        help="a data folder for the PostgreSQL server: the blobs are copied into DIR/blobs",
    )


def run_migrate(args: argparse.Namespace) -> int:
    """0 when every table is the same on both sides; 1 on a difference or a conflict; 2
    when nothing could be copied (a missing source, an unusable or refused database)."""
    from sync.server.report.index import LAYOUT
    from sync.server.storage.migrate import MigrationFailed, migrate_data

    try:
        choice = choose_database(args.database)
        if choice.url is None:
            raise UnusableDatabase(
                f"{choice.source}: migrate-data copies into PostgreSQL; give its URL"
            )
        started = time.monotonic()
        done = migrate_data(
            args.from_data,
            choice.url,
            to_data=args.to_data,
            report=LAYOUT,
            say=lambda line: print(line, file=sys.stderr, flush=True),
        )
    except (UnusableDatabase, MigrationFailed) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print_summary(done, time.monotonic() - started)
    if not done.same:
        return 1
    where = args.to_data or args.from_data
    print(f"verified: serve with --database {choice.shown} --data {where}")
    return 0


def print_summary(done: Migration, seconds: float) -> None:
    rows = [("table", "source rows", "written", "target rows", "sha256", "check")]
    for copied in done.tables:
        checked = copied.checked
        rows.append(
            (
                checked.table,
                str(checked.source.rows),
                str(copied.written),
                str(checked.target.rows),
                checked.target.hash[:16],
                "same" if checked.same else "DIFFERENT",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    total = sum(c.checked.source.rows for c in done.tables)
    print(f"{total} rows in {seconds:.1f} s ({total / max(seconds, 1e-9):,.0f} rows/s)")
    for copied in done.tables:
        for what in copied.checked.differences:
            print(f"different: {copied.checked.table} {what}")
        if copied.checked.more:
            print(f"different: {copied.checked.table}: {copied.checked.more} more rows")
    for skipped in done.skipped:
        print(f"not copied: {skipped}")
    if done.blobs is not None:
        blobs = done.blobs
        print(f"blobs: {blobs.found} files, {blobs.copied} copied, {blobs.present} already there")
        for name in blobs.bad:
            print(f"blob {name}: its content does not match its name in the source; not copied")
        for name in blobs.missing:
            print(f"blob {name}: missing in the target")

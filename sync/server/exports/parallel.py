"""Flattening on several cores: big exports are CPU-bound on parsing each submission.

The main process reads submissions in order and hands chunks of them to worker
processes (spawned, so a threaded server is never forked); each worker parses and
flattens its chunk into CSV text per table, and the main process appends those texts
to the table files in the chunks' order. At most two chunks per worker are in flight,
so memory stays bounded whatever the number of submissions.
"""

from __future__ import annotations

import csv
import io
import multiprocessing
import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import IO, TypeVar

from sync.server.exports.deflated import Entry, Piece
from sync.server.exports.rows import Flattener, Row, SubmissionMeta
from sync.server.exports.schema import ExportSchema

CHUNK = 250
"""Submissions per task; progress is reported once per chunk."""
PARALLEL_FROM = 5000
"""Fewer expected submissions are flattened in-process (starting workers costs ~1 s)."""

_flattener: Flattener | None = None
T = TypeVar("T")


def can_spawn() -> bool:
    """Spawned workers re-import the main module by its path: it must be a real file
    (or absent, as with `python -c`); code piped to `python -` cannot spawn."""
    main = getattr(sys.modules.get("__main__"), "__file__", None)
    return main is None or os.path.isfile(main)


def workers_for(total: int) -> int:
    """How many worker processes an export of `total` submissions uses (0: none)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    if total < PARALLEL_FROM or (cores or 1) < 2 or not can_spawn():
        return 0
    return min(4, cores or 1)


def _start(schema: ExportSchema) -> None:
    global _flattener
    _flattener = Flattener(schema)


def flatten_chunk(chunk: list[SubmissionMeta]) -> dict[str, str]:
    """The CSV text (no header) each table gets from `chunk`, keyed by table path."""
    assert _flattener is not None, "worker not started"
    return chunk_csv(_flattener, chunk)


def deflate_chunk(chunk: list[SubmissionMeta]) -> dict[str, Piece]:
    """Like `flatten_chunk`, but each table's text already UTF-8 and deflated."""
    assert _flattener is not None, "worker not started"
    return {p: Piece.of(t.encode("utf-8")) for p, t in chunk_csv(_flattener, chunk).items()}


def chunk_csv(flattener: Flattener, chunk: list[SubmissionMeta]) -> dict[str, str]:
    """Rows gathered per table, then one `writerows` per table."""
    rows: dict[str, list[Row]] = {table.path: [] for table in flattener.schema.tables}
    for meta in chunk:
        for table, row in flattener.rows(meta):
            rows[table.path].append(row)
    texts: dict[str, str] = {}
    for path, found in rows.items():
        if found:
            buffer = io.StringIO()
            csv.writer(buffer).writerows(found)
            texts[path] = buffer.getvalue()
    return texts


def _chunks(source: Iterable[SubmissionMeta]) -> Iterator[list[SubmissionMeta]]:
    chunk: list[SubmissionMeta] = []
    for meta in source:
        chunk.append(meta)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def stage_in_workers(
    schema: ExportSchema,
    source: Iterable[SubmissionMeta],
    files: dict[str, IO[str]],
    workers: int,
    progress: Callable[[int], None],
) -> int:
    """Append every table's rows to `files` (by table path); returns the submissions done."""

    def append(texts: dict[str, str]) -> None:
        for path, text in texts.items():
            files[path].write(text)

    return _in_workers(schema, source, flatten_chunk, append, workers, progress)


def deflate_in_workers(
    schema: ExportSchema,
    source: Iterable[SubmissionMeta],
    entries: dict[str, Entry],
    workers: int,
    progress: Callable[[int], None],
) -> int:
    """Append every table's deflated rows to `entries` (by table path), in order."""

    def append(pieces: dict[str, Piece]) -> None:
        for path, piece in pieces.items():
            entries[path].add(piece)

    return _in_workers(schema, source, deflate_chunk, append, workers, progress)


def _in_workers(
    schema: ExportSchema,
    source: Iterable[SubmissionMeta],
    task: Callable[[list[SubmissionMeta]], T],
    append: Callable[[T], None],
    workers: int,
    progress: Callable[[int], None],
) -> int:
    done = 0
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start, initargs=(schema,)
    ) as pool:
        pending: deque[tuple[int, Future[T]]] = deque()

        def drain() -> None:
            nonlocal done
            size, future = pending.popleft()
            append(future.result())
            done += size
            progress(done)

        for chunk in _chunks(source):
            pending.append((len(chunk), pool.submit(task, chunk)))
            if len(pending) >= 2 * workers:
                drain()
        while pending:
            drain()
    return done

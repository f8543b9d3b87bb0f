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
from dataclasses import replace
from typing import IO, TypeVar

from sync.server.errors import BadRequest
from sync.server.exports import source
from sync.server.exports.deflated import Entry, Piece
from sync.server.exports.rows import Flattener, Row, SubmissionMeta
from sync.server.exports.schema import ExportSchema
from sync.server.storage.repositories import Bodies, BodiesOpener

CHUNK = 250
"""Submissions per task; progress is reported once per chunk."""
PARALLEL_FROM = 5000
"""Fewer expected submissions are flattened in-process (starting workers costs ~1 s)."""

_flattener: Flattener | None = None
_bodies: Bodies | None = None
_fingerprint: str | None = None
T = TypeVar("T")
C = TypeVar("C")
Keyed = tuple[int, SubmissionMeta]
"""A submission without its XML and its rowid, to read the XML in the worker."""


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


def _start(
    schema: ExportSchema, opener: BodiesOpener | None = None, fingerprint: str | None = None
) -> None:
    """`opener`: the storage's way to read submissions here (a reader of this process's
    own); `fingerprint`: read the stored rows made under it (`stored.py`); None: the XML."""
    global _flattener, _bodies, _fingerprint
    _flattener = Flattener(schema)
    _bodies = None if opener is None else opener.open()
    _fingerprint = fingerprint


def _with_bodies(chunk: list[Keyed]) -> list[SubmissionMeta]:
    """The chunk's submissions with their XML or stored rows, read from the storage by
    position."""
    assert _bodies is not None, "worker has no database"
    rowids = [rowid for rowid, _ in chunk]
    bodies = _bodies.bodies(rowids, _fingerprint)
    missing = [meta.instance_id for rowid, meta in chunk if rowid not in bodies]
    if missing:
        raise BadRequest(f"submission {missing[0]} was removed while exporting; export again")
    return [replace(meta, xml=bodies[r][0], stored=bodies[r][1]) for r, meta in chunk]


def flatten_chunk(chunk: list[SubmissionMeta]) -> dict[str, str]:
    """The CSV text (no header) each table gets from `chunk`, keyed by table path."""
    assert _flattener is not None, "worker not started"
    return chunk_csv(_flattener, chunk)


def deflate_chunk(chunk: list[Keyed]) -> dict[str, Piece]:
    """Like `flatten_chunk`, but the submissions read here by rowid and each table's
    text already UTF-8 and deflated."""
    assert _flattener is not None, "worker not started"
    texts = chunk_csv(_flattener, _with_bodies(chunk))
    return {path: Piece.of(text.encode("utf-8")) for path, text in texts.items()}


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


def _chunks(items: Iterable[C]) -> Iterator[list[C]]:
    chunk: list[C] = []
    for meta in items:
        chunk.append(meta)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def stage_in_workers(
    schema: ExportSchema,
    items: Iterable[SubmissionMeta],
    files: dict[str, IO[str]],
    workers: int,
    progress: Callable[[int], None],
) -> int:
    """Append every table's rows to `files` (by table path); returns the submissions done."""

    def append(texts: dict[str, str]) -> None:
        for path, text in texts.items():
            files[path].write(text)

    return _in_workers(items, flatten_chunk, append, workers, progress, (schema,))


def deflate_in_workers(
    schema: ExportSchema,
    chosen: source.Submissions,
    entries: dict[str, Entry],
    workers: int,
    progress: Callable[[int], None],
) -> int:
    """Append every table's deflated rows to `entries` (by table path), in order."""

    def append(pieces: dict[str, Piece]) -> None:
        for path, piece in pieces.items():
            entries[path].add(piece)

    keyed = chosen.keyed()
    start = (schema, chosen.opener, chosen.fingerprint)
    return _in_workers(keyed, deflate_chunk, append, workers, progress, start)


def _in_workers(
    items: Iterable[C],
    task: Callable[[list[C]], T],
    append: Callable[[T], None],
    workers: int,
    progress: Callable[[int], None],
    start: tuple[ExportSchema, BodiesOpener | None, str | None] | tuple[ExportSchema],
) -> int:
    """`start`: each worker's `_start` arguments."""
    done = 0
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start, initargs=start
    ) as pool:
        pending: deque[tuple[int, Future[T]]] = deque()

        def drain() -> None:
            nonlocal done
            size, future = pending.popleft()
            append(future.result())
            done += size
            progress(done)

        for chunk in _chunks(items):
            pending.append((len(chunk), pool.submit(task, chunk)))
            if len(pending) >= 2 * workers:
                drain()
        while pending:
            drain()
    return done

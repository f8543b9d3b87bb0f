"""The files `fieldapp-server submissions import` reads: a folder, a zip or one XML file.

The layout rule: every file named `*.xml` is a submission, and its attachments are the
other files in the same folder whose names one of its fields holds. That covers ODK
Collect's instance folders (`NAME/NAME.xml` with its photos and `audit.csv` beside it)
and the flat folders of `fieldapp forms check --save` (`uuid-….xml`, one per interview).
Files and folders whose names start with `.` and the `__MACOSX` folders of zips made on a
Mac are not read. A zip is read in place, never extracted: one with a member that would
leave its folder (an absolute path or `..`) or that inflates past `MAX_UNZIPPED_BYTES` is
refused as a whole.
"""

from __future__ import annotations

import os
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import IO

from sync.server.errors import BadRequest

MAX_UNZIPPED_BYTES = 4 * 1024**3
"""Bytes of all the files of one zip, uncompressed (a zip bomb guard)."""
CHUNK = 1 << 16
DRIVE = re.compile(r"^[A-Za-z]:")
READ_ERRORS = (OSError, EOFError, RuntimeError, NotImplementedError, zipfile.BadZipFile, zlib.error)
"""What reading a file or a zip member raises: I/O, a truncated, encrypted or corrupt member,
or one packed with a compression method zipfile cannot read (NotImplementedError)."""


@dataclass(frozen=True)
class Entry:
    """One file: `place` is how messages name it (`rehearsal/uuid-1.xml`, `day1.zip/a.xml`)."""

    place: str
    name: str
    size: int
    open: Callable[[], IO[bytes]]


@dataclass
class Folder:
    """The submissions of one folder and the other files beside them."""

    submissions: list[Entry] = field(default_factory=list)
    others: dict[str, Entry] = field(default_factory=dict)
    refused: list[tuple[str, str]] = field(default_factory=list)
    """Places that could not even be listed, with why."""


def read_entry(entry: Entry, limit: int) -> bytes:
    """The file's bytes; BadRequest if it is larger than `limit` or cannot be read."""
    data = bytearray()
    for chunk in chunks(entry):
        data += chunk
        if len(data) > limit:
            raise BadRequest(f"larger than the server's limit of {limit:,} bytes for one file")
    return bytes(data)


def chunks(entry: Entry) -> Iterator[bytes]:
    """The file's bytes a chunk at a time; BadRequest if it cannot be read (only the reading
    is guarded: what the caller does with a chunk raises its own errors)."""
    try:
        with entry.open() as handle:
            while chunk := handle.read(CHUNK):
                yield chunk
    except READ_ERRORS as error:
        detail = getattr(error, "strerror", None) or str(error) or type(error).__name__
        raise BadRequest(f"cannot read it ({detail})") from None


@contextmanager
def open_source(path: Path, limit: int = MAX_UNZIPPED_BYTES) -> Iterator[list[Folder]]:
    """The folders of submissions at `path`; BadRequest if `path` cannot be imported at all
    (then nothing of it is read)."""
    if path.is_dir():
        yield _walk(path)
    elif is_submission(path.name):
        yield [_beside(path)]
    elif not path.is_file():
        raise BadRequest("cannot read it (no such file or folder)")
    elif not zipfile.is_zipfile(path):
        raise BadRequest("not a folder, a zip or an XML file (a .zip that is not a zip?)")
    else:
        try:
            archive = zipfile.ZipFile(path)
        except (OSError, zipfile.BadZipFile) as error:
            raise BadRequest(f"not a readable zip ({error})") from None
        with archive:
            yield _members(archive, path, limit)


def is_submission(name: str) -> bool:
    return name.lower().endswith(".xml")


def _file(place: Path) -> Entry:
    try:
        size = place.stat().st_size
    except OSError:
        size = 0  # reading it fails too, and says why
    return Entry(str(place), place.name, size, lambda: place.open("rb"))


def _add(folder: Folder, entry: Entry) -> None:
    if is_submission(entry.name):
        folder.submissions.append(entry)
    else:
        folder.others[entry.name] = entry


def _walk(root: Path) -> list[Folder]:
    folders = []
    unreadable = Folder()

    def refuse(error: OSError) -> None:
        unreadable.refused.append((str(error.filename), f"cannot read it ({error.strerror})"))

    for top, dirs, files in os.walk(root, onerror=refuse):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        folder = Folder()
        for name in sorted(files):
            if not name.startswith("."):
                _add(folder, _file(Path(top) / name))
        folders.append(folder)
    return [*folders, unreadable]


def _beside(xml: Path) -> Folder:
    """One XML file, with the files of its folder as the attachments it may name."""
    folder = Folder(submissions=[_file(xml)])
    try:
        others = sorted(xml.parent.iterdir())
    except OSError:
        others = []  # reading the XML fails too, and says why
    for other in others:
        if other.is_file() and not other.name.startswith(".") and not is_submission(other.name):
            folder.others[other.name] = _file(other)
    return folder


def _members(archive: zipfile.ZipFile, path: Path, limit: int) -> list[Folder]:
    infos = [i for i in archive.infolist() if not i.is_dir()]
    for info in infos:
        parts = info.filename.replace("\\", "/").split("/")
        if info.filename.startswith(("/", "\\")) or DRIVE.match(info.filename) or ".." in parts:
            raise BadRequest(
                f"member {info.filename!r} would leave the zip's folder (an absolute path or"
                " '..'); nothing was imported from this zip"
            )
    total = sum(i.file_size for i in infos)
    if total > limit:
        raise BadRequest(
            f"its files come to {total:,} bytes uncompressed; the limit is {limit:,}"
            " (a zip bomb guard); nothing was imported from this zip"
        )
    folders: dict[str, Folder] = {}
    for info in sorted(infos, key=lambda i: i.filename):
        name = info.filename.replace("\\", "/")
        parts = name.split("/")
        if any(p.startswith(".") or p == "__MACOSX" for p in parts):
            continue
        entry = Entry(f"{path}/{name}", parts[-1], info.file_size, partial(archive.open, info))
        _add(folders.setdefault(posixpath.dirname(name), Folder()), entry)
    return list(folders.values())

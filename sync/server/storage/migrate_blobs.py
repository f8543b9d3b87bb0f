"""Attachments and media moved with `migrate-data --to-data DIR2`: each content-addressed file
of `DIR/blobs` copied into `DIR2/blobs` under the same name, checked against its name (its
sha256) as it is written, and written under a temporary name then renamed, so a stopped
run leaves no half file; a file already there with the right size is left as it is.

Without `--to-data` nothing moves: the PostgreSQL server is started with `--data DIR`, and
its processes share `DIR/blobs` as the SQLite server did."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

CHUNK = 1 << 20
BLOB = re.compile(r"[0-9a-f]{2}/[0-9a-f]{62}")


@dataclass
class BlobsCopied:
    """Files of the source (`found`), copied by this run, already there, and the names
    whose content does not match (corrupt in the source: not copied)."""

    found: int = 0
    copied: int = 0
    present: int = 0
    bad: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def same(self) -> bool:
        return not self.bad and not self.missing


def _copy(source: Path, target: Path, digest: str) -> bool:
    """Copy `source` to `target` if its content has the sha256 `digest` (else False)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".migrating-")
    try:
        sha = hashlib.sha256()
        with source.open("rb") as read, os.fdopen(handle, "wb") as out:
            while chunk := read.read(CHUNK):
                sha.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if sha.hexdigest() != digest:
            return False
        os.replace(temporary, target)
        return True
    finally:
        Path(temporary).unlink(missing_ok=True)


def copy_blobs(source: Path, target: Path) -> BlobsCopied:
    """Copy every blob of the folder `source` into the folder `target`, then check that
    each is there with its size."""
    done = BlobsCopied()
    names = sorted(
        path.relative_to(source).as_posix()
        for path in source.glob("??/*")
        if BLOB.fullmatch(path.relative_to(source).as_posix())
    )
    for name in names:
        done.found += 1
        there = target / name
        if there.is_file() and there.stat().st_size == (source / name).stat().st_size:
            done.present += 1
        elif _copy(source / name, there, name.replace("/", "")):
            done.copied += 1
        else:
            done.bad.append(name)
    for name in names:
        there = target / name
        if name not in done.bad and (
            not there.is_file() or there.stat().st_size != (source / name).stat().st_size
        ):
            done.missing.append(name)
    return done

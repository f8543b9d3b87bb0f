"""Attachment and form media files: content-addressed by sha256, next to the database.

A file is written to a temporary name, fsync'd, then renamed, so a file that
exists under its hash is whole. Rows point at files; files nobody points at are
removed after the rows are gone.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from fieldapp.store.errors import StoreError, store_error_from


class FileStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def put(self, data: bytes) -> tuple[str, Path]:
        """Store `data` (once, whatever how many rows refer to it); its sha256 and path."""
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if target.exists() and target.stat().st_size == len(data):
            return digest, target
        temporary = target.with_name(f".{digest}.{os.getpid()}.tmp")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(temporary, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, target)
            _fsync_directory(target.parent)
        except OSError as error:
            temporary.unlink(missing_ok=True)
            raise store_error_from(error) from error
        return digest, target

    def get(self, sha256: str, name: str) -> bytes:
        try:
            data = self.path(sha256).read_bytes()
        except OSError as error:
            raise StoreError("store.attachment_missing", filename=name) from error
        if hashlib.sha256(data).hexdigest() != sha256:
            raise StoreError("store.attachment_damaged", filename=name)
        return data

    def discard(self, sha256: str) -> None:
        self.path(sha256).unlink(missing_ok=True)


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)

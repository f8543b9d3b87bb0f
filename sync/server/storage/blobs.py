"""Content-addressed files: each attachment or media file stored once, named by its sha256."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sync.server.errors import BadRequest

SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._ -]{0,199}$")


def safe_name(name: str) -> str:
    """An attachment or media file name as given, or BadRequest if it could leave its folder."""
    if not SAFE_NAME.match(name) or ".." in name or name.strip() != name:
        raise BadRequest(f"attachment name {name!r} is not allowed (letters, digits, . _ - only)")
    return name


class Incoming:
    """A file being received: written to a temporary file beside the blobs, hashed as it comes."""

    def __init__(self, folder: Path) -> None:
        handle, name = tempfile.mkstemp(dir=folder, prefix=".incoming-")
        self.path = Path(name)
        self.file = os.fdopen(handle, "wb")
        self.size = 0
        self._hash = hashlib.sha256()

    def write(self, chunk: bytes) -> None:
        self.file.write(chunk)
        self._hash.update(chunk)
        self.size += len(chunk)

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def path(self, sha256: str) -> Path:
        if not re.fullmatch(r"[0-9a-f]{64}", sha256):
            raise BadRequest("not a sha256 hex digest")
        return self.root / sha256[:2] / sha256[2:]

    def has(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def put(self, data: bytes) -> str:
        """Store `data` durably (write, fsync, rename) and return its sha256."""
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if target.is_file():
            return digest
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return digest

    @contextmanager
    def receiving(self) -> Iterator[Incoming]:
        """A file to write into; `keep` it before the block ends or it is deleted."""
        incoming = Incoming(self.root)
        try:
            yield incoming
        finally:
            incoming.file.close()
            incoming.path.unlink(missing_ok=True)

    def keep(self, incoming: Incoming) -> str:
        """Store a received file durably (fsync, rename) under its sha256; return that."""
        digest = incoming.sha256
        target = self.path(digest)
        if not target.is_file():
            incoming.file.flush()
            os.fsync(incoming.file.fileno())
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(incoming.path, target)
        return digest

    def read(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()

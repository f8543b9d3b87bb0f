"""The zip assembled from deflated chunks (`deflated.py`) opens in zipfile, zip64 too."""

from __future__ import annotations

import io
import os
import zipfile
import zlib

import pytest

from sync.server.exports import deflated
from sync.server.exports.deflated import Entry, Piece, combine_crc, write_zip


def test_combined_crc_equals_the_crc_of_the_whole() -> None:
    first, second = os.urandom(1234), os.urandom(567)
    combined = combine_crc(zlib.crc32(first), zlib.crc32(second), len(second))
    assert combined == zlib.crc32(first + second)
    assert combine_crc(0, zlib.crc32(second), len(second)) == zlib.crc32(second)


def _archive(parts: dict[str, list[bytes]]) -> bytes:
    entries = []
    for name, chunks in parts.items():
        entry = Entry(name)
        for chunk in chunks:
            entry.add(Piece.of(chunk))
        entries.append(entry)
    out = io.BytesIO()
    write_zip(out, entries)
    for entry in entries:
        entry.close()
    return out.getvalue()


@pytest.mark.parametrize("limit", [deflated.ZIP64_LIMIT, 10])
def test_chunks_read_back_as_entries(monkeypatch: pytest.MonkeyPatch, limit: int) -> None:
    monkeypatch.setattr(deflated, "ZIP64_LIMIT", limit)
    parts = {
        "a.csv": [b"\xef\xbb\xbfx,y\r\n", b"1,2\r\n" * 500, os.urandom(3000)],
        "a-r\u00e9pete.csv": [b"z\r\n"],
        "empty.csv": [],
    }
    with zipfile.ZipFile(io.BytesIO(_archive(parts))) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == list(parts)
        for name, chunks in parts.items():
            assert archive.read(name) == b"".join(chunks)

"""A zip assembled from chunks the worker processes already compressed.

Each worker deflates its chunk's CSV text per table (raw deflate, ended by a sync flush,
so the chunk ends on a byte boundary) and computes its CRC-32; the main process only
appends those bytes to one temporary file per table, combines the CRCs and, at the end,
writes the zip headers around the compressed data. Concatenated sync-flushed deflate
streams, closed by one empty final block, are one valid deflate stream, so the entries
are ordinary deflated zip entries any reader opens.
"""

from __future__ import annotations

import struct
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from typing import IO

LEVEL = 1
ZIP64_LIMIT = 0xFFFFFFFF
"""Sizes and offsets from this on need the zip64 extensions."""
_FINAL_BLOCK = b"\x03\x00"
"""An empty final deflate block: closes a stream of sync-flushed chunks."""
_VERSION = 45  # 4.5: zip64
_MARK = 0xFFFFFFFF
"""A header field whose value is in the zip64 extra field."""


def deflate(data: bytes) -> bytes:
    """`data` as raw deflate ending on a byte boundary (not final): chunks concatenate."""
    compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)


def combine_crc(first: int, second: int, second_length: int) -> int:
    """CRC-32 of `a + b` from CRC-32(a), CRC-32(b) and len(b) (CRC-32 is affine)."""
    zeros = bytes(second_length)
    return zlib.crc32(zeros, first) ^ second ^ zlib.crc32(zeros)


@dataclass
class Piece:
    """One chunk of one table: compressed bytes, CRC-32 and length of the plain bytes."""

    data: bytes
    crc: int
    size: int

    @classmethod
    def of(cls, plain: bytes) -> Piece:
        return cls(deflate(plain), zlib.crc32(plain), len(plain))


@dataclass
class Entry:
    """One zip entry being gathered in a temporary file of compressed bytes."""

    name: str
    file: IO[bytes] = field(default_factory=lambda: tempfile.TemporaryFile(prefix="export-"))
    crc: int = 0
    size: int = 0
    compressed: int = 0

    def add(self, piece: Piece) -> None:
        self.file.write(piece.data)
        self.crc = combine_crc(self.crc, piece.crc, piece.size)
        self.size += piece.size
        self.compressed += len(piece.data)

    def close(self) -> None:
        self.file.close()


def _dos_time() -> tuple[int, int]:
    now = time.localtime()
    stamp = (now.tm_hour << 11) | (now.tm_min << 5) | (now.tm_sec // 2)
    day = ((now.tm_year - 1980) << 9) | (now.tm_mon << 5) | now.tm_mday
    return stamp, day


def _zip64_extra(*values: int) -> bytes:
    return struct.pack(f"<HH{len(values)}Q", 1, 8 * len(values), *values)


def write_zip(out: IO[bytes], entries: list[Entry]) -> None:
    """Write `entries` (each closed with the final block here) as a zip to `out`."""
    stamp, day = _dos_time()
    offset = 0
    central: list[bytes] = []
    for entry in entries:
        entry.file.write(_FINAL_BLOCK)
        entry.compressed += len(_FINAL_BLOCK)
        name = entry.name.encode("utf-8")
        big = entry.size >= ZIP64_LIMIT or entry.compressed >= ZIP64_LIMIT
        local_extra = _zip64_extra(entry.size, entry.compressed) if big else b""
        sizes = (_MARK, _MARK) if big else (entry.compressed, entry.size)
        header = struct.pack(
            "<4sHHHHHIIIHH", b"PK\x03\x04", _VERSION, 0x800, 8, stamp, day, entry.crc,
            *sizes, len(name), len(local_extra),
        )  # fmt: skip
        out.write(header + name + local_extra)
        entry.file.seek(0)
        while block := entry.file.read(1 << 20):
            out.write(block)
        far = offset >= ZIP64_LIMIT
        values = ([entry.size, entry.compressed] if big else []) + ([offset] if far else [])
        extra = _zip64_extra(*values) if values else b""
        central.append(
            struct.pack(
                "<4sHHHHHHIIIHHHHHII",
                b"PK\x01\x02",
                _VERSION,
                _VERSION,
                0x800,
                8,
                stamp,
                day,
                entry.crc,
                *sizes,
                len(name),
                len(extra),
                0,
                0,
                0,
                0,
                _MARK if far else offset,
            )  # fmt: skip
            + name
            + extra
        )
        offset += len(header) + len(name) + len(local_extra) + entry.compressed
    directory = b"".join(central)
    count = len(entries)
    if offset >= ZIP64_LIMIT or count >= 0xFFFF:
        record = struct.pack(
            "<4sQHHIIQQQQ", b"PK\x06\x06", 44, _VERSION, _VERSION, 0, 0, count, count,
            len(directory), offset,
        )  # fmt: skip
        locator = struct.pack("<4sIQI", b"PK\x06\x07", 0, offset + len(directory), 1)
        out.write(directory + record + locator)
        end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, _MARK, _MARK, 0)
    else:
        out.write(directory)
        end = struct.pack(
            "<4sHHHHIIH", b"PK\x05\x06", 0, 0, count, count, len(directory), offset, 0
        )
    out.write(end)

"""What one submission may hold, and gzip bodies that inflate past the size limit.

Each refusal names the limit it hit, so a device or a person can tell what to change."""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable
from typing import Any
from xml.etree.ElementTree import Element

from sync.server.errors import BadRequest, TooLarge

MAX_XML_CHARS = 5 * 1024 * 1024
"""Characters of one submission's XML (a household of the living income form is about
12,000): taking one in costs several times its size in memory."""
INSTANCE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9:._-]*")
MAX_INSTANCE_ID = 100
"""Characters of a meta/instanceID (`uuid:` and a UUID is 41)."""
MAX_FIELD_CHARS = 100_000
"""Characters of one answer: a long geotrace fits, a pasted book does not."""
MAX_ATTACHMENTS = 100
"""Files of one submission."""
MAX_ATTACHMENT_BYTES = 500 * 1024 * 1024
"""Bytes of all the files of one submission together."""


def check_xml_size(xml: str) -> None:
    if len(xml) > MAX_XML_CHARS:
        raise BadRequest(
            f"submission XML of {len(xml):,} characters; the limit is {MAX_XML_CHARS:,}"
        )


def check_instance_id(instance_id: str) -> None:
    if len(instance_id) > MAX_INSTANCE_ID:
        raise BadRequest(
            f"meta/instanceID is {len(instance_id)} characters; the limit is {MAX_INSTANCE_ID}"
        )
    if not INSTANCE_ID.fullmatch(instance_id):
        raise BadRequest(
            f"meta/instanceID {instance_id!r} has characters other than letters, digits"
            " and : . _ - (the limit on its characters)"
        )


def check_fields(root: Element) -> None:
    """Every answer (element text) within MAX_FIELD_CHARS; the message names the field."""
    for element in root.iter():
        if element.text is not None and len(element.text) > MAX_FIELD_CHARS:
            name = element.tag.rsplit("}", 1)[-1]
            raise BadRequest(
                f"field {name!r} has {len(element.text):,} characters; the limit for one"
                f" answer is {MAX_FIELD_CHARS:,}"
            )


def check_attachments(sizes: Iterable[int], file_limit: int | None) -> None:
    """The files of one submission: how many, each under the body limit, all together."""
    listed = list(sizes)
    if len(listed) > MAX_ATTACHMENTS:
        raise BadRequest(
            f"{len(listed)} attachments; the limit is {MAX_ATTACHMENTS} per submission"
        )
    most = MAX_ATTACHMENT_BYTES if file_limit is None else file_limit
    for size in listed:
        if not 0 <= size <= most:
            raise BadRequest(
                f"an attachment of {size} bytes; the limit for one file is {most} bytes"
            )
    if sum(listed) > MAX_ATTACHMENT_BYTES:
        raise BadRequest(
            f"attachments of {sum(listed):,} bytes in all; the limit is"
            f" {MAX_ATTACHMENT_BYTES:,} bytes per submission"
        )


def gunzip(data: bytes, limit: int) -> bytes:
    """Decompress a gzip body, refusing one that inflates past `limit` (a gzip bomb)."""
    inflater: Any = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error:
        raise BadRequest("Content-Encoding: gzip but the body is not valid gzip") from None
    if len(out) > limit or inflater.unconsumed_tail:
        raise TooLarge(f"decompressed body over the size limit of {limit} bytes")
    return bytes(out)

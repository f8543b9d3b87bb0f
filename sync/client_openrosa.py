"""Pushing to a plain OpenRosa server (ODK Central app-user URL, KoboToolbox).

One instance per multipart POST, as ODK Collect does it: `HEAD …/submission` first for
the size limit (`X-OpenRosa-Accept-Content-Length`), then `xml_submission_file` plus
attachments, split over several POSTs when they would pass the limit.
"""

from __future__ import annotations

import email.utils
import mimetypes
import random
import time
from collections.abc import Callable, Iterable
from xml.etree.ElementTree import ParseError

import httpx
from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from sync.client_http import DEFAULT_RETRY, RetryingHttp, RetryPolicy
from sync.protocol import AttachmentRef, ItemResult, ItemStatus, SubmissionItem

__all__ = ["OpenRosaClient"]

DEFAULT_LIMIT = 10_000_000
ENVELOPE = 1024
"""Bytes kept free in each POST for the multipart envelope and the XML part's headers."""
PART = 256
"""Bytes of multipart headers counted with each attachment."""
_ACKNOWLEDGED = frozenset({201, 202})
_ANSWERS = _ACKNOWLEDGED | {400, 409, 413}
_OPENROSA_NS = "{http://openrosa.org/http/response}"


class OpenRosaClient:
    def __init__(
        self,
        base_url: str,
        *,
        auth: httpx.Auth | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 60.0,
        retry: RetryPolicy = DEFAULT_RETRY,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self._http = RetryingHttp(
            base_url,
            headers={"X-OpenRosa-Version": "1.0"},
            transport=transport,
            timeout=timeout,
            retry=retry,
            sleep=sleep,
            rng=rng or random.Random(),
            auth=auth,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> OpenRosaClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def submission_limit(self) -> int:
        response = self._http.send(
            "HEAD", "/submission", accept=lambda r: r.status_code in (200, 204)
        )
        try:
            return int(response.headers.get("X-OpenRosa-Accept-Content-Length", DEFAULT_LIMIT))
        except ValueError:
            return DEFAULT_LIMIT

    def push(
        self,
        items: Iterable[SubmissionItem],
        read_attachment: Callable[[str, str], bytes],
        on_progress: Callable[[int, int], None] | None = None,
    ) -> list[ItemResult]:
        pending = list(items)
        limit = self.submission_limit()
        results: list[ItemResult] = []
        for item in pending:
            results.append(self._push_one(item, read_attachment, limit))
            if on_progress is not None:
                on_progress(len(results), len(pending))
        return results

    def _push_one(
        self, item: SubmissionItem, read_attachment: Callable[[str, str], bytes], limit: int
    ) -> ItemResult:
        xml = item.xml.encode("utf-8")
        groups = _split(item.attachments, limit - len(xml) - ENVELOPE)
        if groups is None:
            return ItemResult(
                instance_id=item.instance_id,
                status="rejected",
                message=f"A file of this submission is larger than the server accepts ({limit} bytes).",
            )
        for group in groups:
            files = [("xml_submission_file", ("submission.xml", xml, "text/xml"))]
            for ref in group:
                kind = mimetypes.guess_type(ref.name)[0] or "application/octet-stream"
                files.append(
                    (ref.name, (ref.name, read_attachment(item.instance_id, ref.name), kind))
                )
            response = self._http.send(
                "POST",
                "/submission",
                files=files,
                headers={"Date": email.utils.formatdate(usegmt=True)},
                accept=lambda r: r.status_code in _ANSWERS,
            )
            if response.status_code not in _ACKNOWLEDGED:
                status: ItemStatus = "conflict" if response.status_code == 409 else "rejected"
                return ItemResult(
                    instance_id=item.instance_id, status=status, message=_message(response)
                )
        return ItemResult(instance_id=item.instance_id, status="stored")


def _split(refs: list[AttachmentRef], room: int) -> list[list[AttachmentRef]] | None:
    """Attachments grouped so each POST stays under the limit; None if one alone is too big."""
    groups: list[list[AttachmentRef]] = [[]]
    used = 0
    for ref in refs:
        size = ref.size + PART
        if size > room:
            return None
        if used + size > room and groups[-1]:
            groups.append([])
            used = 0
        groups[-1].append(ref)
        used += size
    return groups


def _message(response: httpx.Response) -> str:
    try:
        root = ElementTree.fromstring(response.content)
    except (ParseError, DefusedXmlException):
        return f"HTTP {response.status_code}: {response.text.strip()[:300]}"
    message = root.find(f"{_OPENROSA_NS}message")
    if message is None:
        message = root.find("message")
    text = (message.text or "").strip() if message is not None else ""
    return f"HTTP {response.status_code}: {text or response.reason_phrase}"

"""Syncing with a plain OpenRosa server (ODK Central app-user URL, KoboToolbox).

Push: one instance per multipart POST, as ODK Collect does it: `HEAD …/submission` first
for the size limit (`X-OpenRosa-Accept-Content-Length`), then `xml_submission_file` plus
attachments, split over several POSTs when they would pass the limit.
Pull: the `formList` and each form's manifest (OpenRosa has no returned instances).
"""

from __future__ import annotations

import email.utils
import mimetypes
import random
import time
from collections.abc import Callable, Iterable
from xml.etree.ElementTree import Element, ParseError

import httpx
from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from sync.client_errors import ProtocolError
from sync.client_http import DEFAULT_RETRY, RetryingHttp, RetryPolicy, download_form
from sync.protocol import (
    AttachmentRef,
    FormInfo,
    ItemResult,
    ItemStatus,
    MediaInfo,
    PullResult,
    SubmissionItem,
)

__all__ = ["OpenRosaClient"]

DEFAULT_LIMIT = 10_000_000
ENVELOPE = 1024
"""Bytes kept free in each POST for the multipart envelope and the XML part's headers."""
PART = 256
"""Bytes of multipart headers counted with each attachment."""
_ACKNOWLEDGED = frozenset({201, 202})
_ANSWERS = _ACKNOWLEDGED | {400, 409, 413}
_OPENROSA_NS = "{http://openrosa.org/http/response}"
_LIST_NS = "{http://openrosa.org/xforms/xformsList}"
_MANIFEST_NS = "{http://openrosa.org/xforms/xformsManifest}"


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

    def pull(self, cursor: str | None) -> PullResult:
        """Every form of the formList (the agent skips those it holds, by hash)."""
        listing = _parse(self._http.send("GET", "/formList").content, "formList")
        forms = []
        for entry in listing.iter(f"{_LIST_NS}xform"):
            form_id, url = _text(entry, _LIST_NS, "formID"), _text(entry, _LIST_NS, "downloadUrl")
            if not form_id or not url:
                raise ProtocolError(
                    "The server's formList has a form without formID or downloadUrl."
                )
            manifest = _text(entry, _LIST_NS, "manifestUrl")
            forms.append(
                FormInfo(
                    form_id=form_id,
                    version=_text(entry, _LIST_NS, "version") or None,
                    title=_text(entry, _LIST_NS, "name") or form_id,
                    hash=_text(entry, _LIST_NS, "hash"),
                    download_url=url,
                    media=self._manifest(manifest) if manifest else [],
                )
            )
        return PullResult(cursor=cursor or "", forms=forms, returned=[])

    def _manifest(self, url: str) -> list[MediaInfo]:
        document = _parse(self._http.send("GET", url).content, "manifest")
        return [
            MediaInfo(
                name=_text(media, _MANIFEST_NS, "filename"),
                hash=_text(media, _MANIFEST_NS, "hash"),
                download_url=_text(media, _MANIFEST_NS, "downloadUrl"),
            )
            for media in document.iter(f"{_MANIFEST_NS}mediaFile")
        ]

    def download_form(self, info: FormInfo) -> tuple[str, dict[str, bytes]]:
        return download_form(self._http, info)

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


def _parse(content: bytes, what: str) -> Element:
    try:
        root: Element = ElementTree.fromstring(content)
    except (ParseError, DefusedXmlException) as error:
        raise ProtocolError(f"The server's {what} is not readable XML: {error}") from error
    return root


def _text(element: Element, namespace: str, tag: str) -> str:
    found = element.find(f"{namespace}{tag}")
    if found is None:
        found = element.find(tag)
    return (found.text or "").strip() if found is not None else ""

"""The device's sync client: batch upload, attachment upload, pulls and form downloads.

`SyncClient` speaks our batch API (`sync/protocol.py`); `OpenRosaClient` pushes the same
items to a plain OpenRosa server (ODK Central, KoboToolbox), one instance per POST.
"""

from __future__ import annotations

import gzip
import hashlib
import random
import time
from collections.abc import Callable, Iterable, Sequence
from itertools import islice
from urllib.parse import quote

import httpx

from sync.client_errors import (
    AuthError,
    ConnectionFailed,
    ProtocolError,
    ReadAttachment,
    ServerRefused,
    SyncError,
)
from sync.client_http import DEFAULT_RETRY, RetryingHttp, RetryPolicy, download_form
from sync.client_openrosa import OpenRosaClient
from sync.protocol import (
    API_PREFIX,
    RESULT_FIELDS_HEADER,
    BatchResult,
    FormInfo,
    ItemResult,
    PullResult,
    SubmissionBatch,
    SubmissionItem,
)

__all__ = [
    "AuthError",
    "ConnectionFailed",
    "OpenRosaClient",
    "ProtocolError",
    "RetryPolicy",
    "ServerRefused",
    "SyncClient",
    "SyncError",
]

Progress = Callable[[int, int], None]


class SyncClient:
    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 30.0,
        batch_size: int = 25,
        retry: RetryPolicy = DEFAULT_RETRY,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        device_id: str = "unknown-device",
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.base_url = base_url.rstrip("/")
        self.batch_size = batch_size
        self.device_id = device_id
        self._http = RetryingHttp(
            self.base_url,
            headers={"Authorization": f"Bearer {token}"},
            transport=transport,
            timeout=timeout,
            retry=retry,
            sleep=sleep,
            rng=rng or random.Random(),
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SyncClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def push(
        self,
        items: Iterable[SubmissionItem],
        read_attachment: ReadAttachment,
        on_progress: Progress | None = None,
    ) -> list[ItemResult]:
        """Upload in batches; an item is complete when its result lists no missing attachments.

        A batch is safe to resend (same batch_id, same instanceIDs), so an interrupted
        push resumes where it stopped: the server answers "duplicate" for what it holds
        and lists only the attachments it still lacks.
        """
        pending = list(items)
        results: list[ItemResult] = []
        iterator = iter(pending)
        while batch := list(islice(iterator, self.batch_size)):
            results.extend(self._push_batch(batch, read_attachment))
            if on_progress is not None:
                on_progress(len(results), len(pending))
        return results

    def _push_batch(
        self, batch: Sequence[SubmissionItem], read_attachment: ReadAttachment
    ) -> list[ItemResult]:
        answered = self._post_batch(batch)
        incomplete = [r for r in answered.values() if r.missing_attachments]
        if incomplete:
            for result in incomplete:
                for name in result.missing_attachments:
                    self._put_attachment(result.instance_id, name, read_attachment)
            by_id = {item.instance_id: item for item in batch}
            confirmed = self._post_batch([by_id[r.instance_id] for r in incomplete])
            for result in incomplete:
                after = confirmed[result.instance_id]
                answered[result.instance_id] = (
                    result.model_copy(update={"missing_attachments": after.missing_attachments})
                    if after.status == "duplicate"
                    else after
                )
        return [answered[item.instance_id] for item in batch]

    def _post_batch(self, batch: Sequence[SubmissionItem]) -> dict[str, ItemResult]:
        ids = [item.instance_id for item in batch]
        batch_id = hashlib.sha256("\n".join(ids).encode()).hexdigest()[:32]
        body = SubmissionBatch(batch_id=batch_id, device_id=self.device_id, items=list(batch))
        compressed = gzip.compress(body.model_dump_json().encode("utf-8"), compresslevel=6)
        answer = self._http.json(
            "POST",
            f"{API_PREFIX}/submissions",
            BatchResult,
            content=compressed,
            headers={
                "Content-Type": "application/json",
                "Content-Encoding": "gzip",
                RESULT_FIELDS_HEADER: "ignored_attachments",
            },
        )
        by_id = {result.instance_id: result for result in answer.results}
        if set(by_id) != set(ids):
            raise ProtocolError(
                f"The server answered for {len(by_id)} submissions of a batch of {len(ids)}."
            )
        return by_id

    def _put_attachment(self, instance_id: str, name: str, read_attachment: ReadAttachment) -> None:
        try:
            data = read_attachment(instance_id, name)
        except (OSError, KeyError, LookupError) as error:
            raise SyncError(
                f"The file {name!r} of submission {instance_id} is missing on this device: {error}"
            ) from error
        self._http.send(
            "PUT",
            f"{API_PREFIX}/submissions/{quote(instance_id, safe='')}/attachments/{quote(name, safe='')}",
            content=data,
            headers={
                "Content-Type": "application/octet-stream",
                "X-Content-SHA256": hashlib.sha256(data).hexdigest(),
            },
        )

    def pull(self, cursor: str | None) -> PullResult:
        params = {"cursor": cursor} if cursor else {}
        return self._http.json("GET", f"{API_PREFIX}/pull", PullResult, params=params)

    def download_form(self, info: FormInfo) -> tuple[str, dict[str, bytes]]:
        """The form's XForm and its media files, each checked against its advertised hash."""
        return download_form(self._http, info)

"""HTTP with retries for the sync clients: exponential backoff with full jitter.

Every request the clients make is safe to repeat (batches are idempotent by
instanceID, attachments by name and hash, pulls are reads), so connection errors,
5xx, 429 and unreadable answers are all retried the same way.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TypeVar
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel, ValidationError

from sync.client_errors import AuthError, ConnectionFailed, ProtocolError, ServerRefused
from sync.protocol import FormInfo

__all__ = ["DEFAULT_RETRY", "RetryPolicy", "RetryingHttp", "download_form", "hash_matches"]

Model = TypeVar("Model", bound=BaseModel)
_T = TypeVar("_T")

_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """`attempts` tries in all; before try n+1 wait uniform(0, min(max_delay, base_delay·2ⁿ))."""

    attempts: int = 6
    base_delay: float = 0.5
    max_delay: float = 30.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        return rng.uniform(0.0, min(self.max_delay, self.base_delay * (2**attempt)))


DEFAULT_RETRY = RetryPolicy()


class _Retryable(Exception):
    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RetryingHttp:
    """An httpx.Client whose calls are retried per a RetryPolicy."""

    def __init__(
        self,
        base_url: str,
        *,
        headers: Mapping[str, str],
        transport: httpx.BaseTransport | None,
        timeout: float,
        retry: RetryPolicy,
        sleep: Callable[[float], None],
        rng: random.Random,
        auth: httpx.Auth | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._client = httpx.Client(
            base_url=self.base_url,
            headers=dict(headers),
            transport=transport,
            timeout=timeout,
            auth=auth,
            follow_redirects=False,
        )
        self._retry = retry
        self._sleep = sleep
        self._rng = rng

    def close(self) -> None:
        self._client.close()

    def send(
        self,
        method: str,
        url: str,
        *,
        accept: Callable[[httpx.Response], bool] = lambda response: response.is_success,
        **kwargs: object,
    ) -> httpx.Response:
        """The first response `accept`s; retries transient failures, raises SyncError otherwise."""
        return self._with_retries(lambda: self._once(method, url, accept, kwargs))

    def json(self, method: str, url: str, model: type[Model], **kwargs: object) -> Model:
        """Like `send`, parsed as `model`; an unreadable (e.g. truncated) answer is retried."""

        def attempt() -> Model:
            response = self._once(method, url, lambda r: r.is_success, kwargs)
            try:
                return model.model_validate_json(response.content)
            except ValidationError as error:
                raise _Retryable(
                    f"The server's answer to {method} {url} could not be read ({error.error_count()} problems)."
                ) from error

        return self._with_retries(attempt)

    def download(self, url: str, expected_hash: str, what: str) -> bytes:
        """GET a file on this same server and check it against its advertised hash."""
        target, own = urlsplit(url), urlsplit(self.base_url)
        if target.scheme and (target.scheme, target.netloc) != (own.scheme, own.netloc):
            raise ProtocolError(f"The server sent a download address on another server for {what}.")
        _parsed_hash(expected_hash, what)  # an unrecognised hash is refused before the download
        data = self.send("GET", url).content
        if not hash_matches(data, expected_hash, what):
            raise ProtocolError(
                f"The {what} downloaded does not match its hash; the download is discarded."
            )
        return data

    def _once(
        self,
        method: str,
        url: str,
        accept: Callable[[httpx.Response], bool],
        kwargs: Mapping[str, object],
    ) -> httpx.Response:
        try:
            response = self._client.request(method, url, **kwargs)  # type: ignore[arg-type]
        except httpx.TransportError as error:
            raise _Retryable(f"Could not reach the server at {self.base_url}: {error}") from error
        if accept(response):
            return response
        status = response.status_code
        if status in _RETRY_STATUSES:
            raise _Retryable(
                f"The server is busy or failing (HTTP {status}).", _retry_after(response)
            )
        message = _server_message(response)
        if status in (401, 403):
            raise AuthError(
                f"The server refused this device's access token (HTTP {status}): {message}. "
                "Scan a new provisioning code.",
                status,
            )
        raise ServerRefused(
            f"The server refused {method} {url} (HTTP {status}): {message}", status, message
        )

    def _with_retries(self, attempt: Callable[[], _T]) -> _T:
        for number in range(self._retry.attempts):
            try:
                return attempt()
            except _Retryable as failure:
                if number + 1 >= self._retry.attempts:
                    raise ConnectionFailed(
                        f"{str(failure).rstrip('.')}. Gave up after {self._retry.attempts} tries; "
                        "nothing is lost, the next sync continues from here."
                    ) from failure
                pause = self._retry.delay(number, self._rng)
                if failure.retry_after is not None:
                    pause = min(self._retry.max_delay, max(pause, failure.retry_after))
                self._sleep(pause)
        raise ProtocolError("RetryPolicy.attempts must be at least 1.")


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _server_message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        text = response.text.strip()
        return text[:300] if text else response.reason_phrase
    if isinstance(body, dict):
        for key in ("detail", "message", "error"):
            if isinstance(body.get(key), str):
                return str(body[key])
    return response.reason_phrase


_HEX_LENGTHS = {"md5": 32, "sha256": 64}
_HEX = frozenset("0123456789abcdef")


def _parsed_hash(expected: str, what: str = "file") -> tuple[str, str]:
    """(algorithm, hex digest) of `md5:<32 hex>`, `sha256:<64 hex>` or bare hex of either
    length; any other form is a `ProtocolError` naming it (a file that cannot be checked
    is not taken)."""
    algorithm, _, digest = expected.strip().lower().rpartition(":")
    if not algorithm:
        algorithm = {32: "md5", 64: "sha256"}.get(len(digest), "")
    if _HEX_LENGTHS.get(algorithm) != len(digest) or not _HEX.issuperset(digest):
        raise ProtocolError(
            f"The server gave the hash of the {what} as {expected!r}, a form this app does not "
            "recognise (md5:<32 hex digits> or sha256:<64 hex digits>); nothing is downloaded."
        )
    return algorithm, digest


def hash_matches(data: bytes, expected: str, what: str = "file") -> bool:
    """Whether `data` has the hash `expected` (see `_parsed_hash`, which refuses other forms)."""
    algorithm, digest = _parsed_hash(expected, what)
    return hashlib.new(algorithm, data, usedforsecurity=False).hexdigest() == digest


def download_form(http: RetryingHttp, info: FormInfo) -> tuple[str, dict[str, bytes]]:
    xform = http.download(info.download_url, info.hash, f"form {info.form_id}")
    media = {m.name: http.download(m.download_url, m.hash, f"file {m.name!r}") for m in info.media}
    try:
        return xform.decode("utf-8"), media
    except UnicodeDecodeError as error:
        raise ProtocolError(f"The form {info.form_id} downloaded is not UTF-8 text.") from error

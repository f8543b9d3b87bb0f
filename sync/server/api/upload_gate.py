"""The gate every request body passes, before a route reads a byte of it.

In order: the token is checked from the headers (or the OpenRosa app-user path), so a
stranger's body is never read; a declared Content-Length over the limit is refused; a large
body takes one of a few upload slots (per user and in all), and one a route must hold in
memory (JSON) also takes its size from a memory budget, or it gets 503 with Retry-After;
and the body is counted as it streams, refused with 413 the moment it passes the limit.
Uploads of files (OpenRosa submissions, attachment PUTs) stream to temporary files.
"""

from __future__ import annotations

import json
import re

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sync.server.api.auth import authenticate, token_in
from sync.server.api.openrosa_xml import openrosa_message
from sync.server.errors import DomainError, TooLarge

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
SMALL_BODY = 1 << 20
"""Bodies up to this many bytes (declared) need no upload slot: sync batches, decisions."""
MEMORY = 40 << 20
"""Bytes of large bodies held in memory at once: two 19 MB JSON batches (each costs twice
its size or more while it is read and parsed)."""
RETRY_AFTER = "5"
"""Seconds a client is asked to wait when the slots or the memory budget are taken."""
STREAMED = re.compile(
    r"^(/v1/key/[^/]+/projects/[^/]+/submission|/api/v1/submissions/.+/attachments/.+)$"
)
"""Routes that stream a body to temporary files rather than hold it in memory."""
ADMISSION = "fieldapp.admission"


class Busy(DomainError):
    status = 503


def refusal(scope: Scope, status: int, message: str) -> Response:
    """A refusal in the shape of the route asked: OpenRosa XML or JSON `{"detail": ...}`."""
    if scope["path"].startswith("/v1/key/"):
        return Response(
            openrosa_message(message),
            status_code=status,
            media_type="text/xml; charset=utf-8",
            headers={"X-OpenRosa-Version": "1.0"},
        )
    body = json.dumps({"detail": message})
    return Response(body, status_code=status, media_type="application/json")


class UploadSlots:
    """Large bodies coming in, per user and in all, and the bytes of them held in memory
    (counted by the event loop alone, so no lock)."""

    def __init__(self, per_user: int, total: int, memory: int) -> None:
        self.per_user, self.total, self.memory = per_user, total, memory
        self._by_user: dict[str, int] = {}
        self.held = 0

    def take(self, user: str) -> bool:
        if sum(self._by_user.values()) >= self.total or self._by_user.get(user, 0) >= self.per_user:
            return False
        self._by_user[user] = self._by_user.get(user, 0) + 1
        return True

    def give(self, user: str) -> None:
        left = self._by_user[user] - 1
        if left:
            self._by_user[user] = left
        else:
            del self._by_user[user]

    def busy(self) -> str:
        return (
            f"the server is taking in as many uploads as it can ({self.per_user} per user,"
            f" {self.total} in all, {self.memory >> 20} MB held in memory); retry in"
            f" {RETRY_AFTER} seconds"
        )


class Admission:
    """What one request holds of the memory budget; a route asks for more (a gzip body
    that inflates past SMALL_BODY) with `admit_memory`."""

    def __init__(self, slots: UploadSlots) -> None:
        self.slots, self.reserved = slots, 0

    def reserve(self, size: int) -> None:
        if self.slots.held + size > self.slots.memory:
            raise Busy(self.slots.busy())
        self.slots.held += size
        self.reserved += size

    def release(self) -> None:
        self.slots.held -= self.reserved
        self.reserved = 0


def admit_memory(request: Request, size: int) -> None:
    """Hold `size` more bytes of this request in memory, or Busy (503, Retry-After)."""
    admission: Admission | None = request.scope.get("state", {}).get(ADMISSION)
    if admission is not None:
        admission.reserve(size)


def _declared(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


def _has_body(scope: Scope) -> bool:
    if scope["method"] in BODY_METHODS:
        return True
    names = {name for name, _ in scope["headers"]}
    return b"transfer-encoding" in names or bool(_declared(scope))


class UploadGate:
    def __init__(
        self, app: ASGIApp, limit: int, per_user: int = 2, total: int = 8, memory: int = MEMORY
    ) -> None:
        self.app, self.limit = app, limit
        self.slots = UploadSlots(per_user, total, memory)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _has_body(scope):
            await self.app(scope, receive, send)
            return
        try:
            user = authenticate(Request(scope), token_in(scope))
        except DomainError as error:
            await refusal(scope, error.status, error.message)(scope, receive, send)
            return
        declared = _declared(scope)
        if declared is not None and declared > self.limit:
            await refusal(scope, 413, self._over())(scope, receive, send)
            return
        large = declared is None or declared > SMALL_BODY
        admission = Admission(self.slots)
        if large and not self.slots.take(user.name):
            await self._busy(scope, receive, send)
            return
        try:
            if large and not STREAMED.match(scope["path"]):
                admission.reserve(self.limit if declared is None else declared)
            scope.setdefault("state", {})[ADMISSION] = admission
            await self._counted(scope, receive, send)
        except Busy:
            await self._busy(scope, receive, send)
        finally:
            admission.release()
            if large:
                self.slots.give(user.name)

    def _over(self) -> str:
        return f"request body over the size limit of {self.limit} bytes"

    async def _busy(self, scope: Scope, receive: Receive, send: Send) -> None:
        answer = refusal(scope, 503, self.slots.busy())
        answer.headers["Retry-After"] = RETRY_AFTER
        await answer(scope, receive, send)

    async def _counted(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the body on as it comes; past the limit, answer 413 and drop what the route
        sends after (it sees TooLarge from `receive`). A route's 503 gets Retry-After."""
        received = 0
        started = refused = False

        async def counting() -> Message:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    if not started:
                        await refusal(scope, 413, self._over())(scope, receive, send)
                    refused = True
                    raise TooLarge(self._over())
            return message

        async def sending(message: Message) -> None:
            nonlocal started
            if refused:
                return
            if message["type"] == "http.response.start":
                started = True
                if message["status"] == 503:
                    MutableHeaders(scope=message).setdefault("Retry-After", RETRY_AFTER)
            await send(message)

        await self.app(scope, counting, sending)

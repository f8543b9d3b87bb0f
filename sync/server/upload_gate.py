"""The gate every request body passes, before a route reads a byte of it.

In order: the token is checked from the headers (or the OpenRosa app-user path), so a
stranger's body is never read; a declared Content-Length over the limit is refused; a large
body waits for nothing: it takes one of a few upload slots (per user and in all) or gets 503
with Retry-After; and the body is counted as it streams, refused with 413 the moment it
passes the limit. Routes then stream what they take in to temporary files.
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sync.server.auth import authenticate, token_in
from sync.server.errors import DomainError, TooLarge
from sync.server.openrosa_xml import openrosa_message

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
SMALL_BODY = 1 << 20
"""Bodies up to this many bytes (declared) need no upload slot: sync batches, decisions."""
RETRY_AFTER = 5
"""Seconds a client is asked to wait when every upload slot is taken."""


def refusal(
    scope: Scope, status: int, message: str, headers: dict[str, str] | None = None
) -> Response:
    """A refusal in the shape of the route asked: OpenRosa XML or JSON `{"detail": ...}`."""
    extra = headers or {}
    if scope["path"].startswith("/v1/key/"):
        return Response(
            openrosa_message(message),
            status_code=status,
            media_type="text/xml; charset=utf-8",
            headers={"X-OpenRosa-Version": "1.0", **extra},
        )
    body = json.dumps({"detail": message})
    return Response(body, status_code=status, media_type="application/json", headers=extra)


class UploadSlots:
    """How many large bodies are coming in, per user and in all (the event loop's own count)."""

    def __init__(self, per_user: int, total: int) -> None:
        self.per_user, self.total = per_user, total
        self._by_user: dict[str, int] = {}

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
    def __init__(self, app: ASGIApp, limit: int, per_user: int = 2, total: int = 8) -> None:
        self.app, self.limit = app, limit
        self.slots = UploadSlots(per_user, total)

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
        if large and not self.slots.take(user.name):
            busy = (
                f"the server is taking in as many uploads as it can ({self.slots.per_user} per"
                f" user, {self.slots.total} in all); retry in {RETRY_AFTER} seconds"
            )
            answer = refusal(scope, 503, busy, {"Retry-After": str(RETRY_AFTER)})
            await answer(scope, receive, send)
            return
        try:
            await self._counted(scope, receive, send)
        finally:
            if large:
                self.slots.give(user.name)

    def _over(self) -> str:
        return f"request body over the size limit of {self.limit} bytes"

    async def _counted(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the body on as it comes; past the limit, answer 413 and drop what the route
        sends after (it sees TooLarge from `receive`)."""
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
            started = started or message["type"] == "http.response.start"
            await send(message)

        await self.app(scope, counting, sending)

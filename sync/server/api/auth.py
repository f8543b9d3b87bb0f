"""Tokens (random, stored hashed, revocable), the current user, roles and a per-token rate limit."""

from __future__ import annotations

import hashlib
import secrets
from typing import Annotated

from fastapi import Depends, Request
from starlette.types import Scope

from sync.server.errors import BadRequest, Forbidden, TooManyRequests, Unauthorized
from sync.server.hub.trust import unknown_token_message
from sync.server.storage import ROLES, Storage, User
from sync.server.storage.repositories import RateLimits

SUBMITTERS = ("enumerator", "coordinator", "admin")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """256 bits from the OS's CSPRNG, URL-safe (it also travels in OpenRosa app-user URLs),
    never starting with `-`: a command line would take `--token -x...` for another option."""
    while (token := secrets.token_urlsafe(32)).startswith("-"):
        pass
    return token


def add_user(storage: Storage, name: str, role: str, district: str | None) -> str:
    """Create a user and return its token; only the hash is kept."""
    if role not in ROLES:
        raise BadRequest(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if role in ("supervisor", "coordinator") and not district:
        raise BadRequest(f"a {role} needs --district (the district they read and act for)")
    if not name or len(name) > 100:
        raise BadRequest("a user name is 1 to 100 characters")
    if storage.user(name) is not None:
        raise BadRequest(f"user {name!r} already exists")
    token = new_token()
    storage.add_user(User(name, role, district), hash_token(token))
    return token


class RateLimiter:
    """Token bucket per API token: `rate` requests a second, bursts up to `burst`. The
    buckets are the storage's (`Storage.rate_limits`): in this process's memory on SQLite,
    in the database that every process shares on PostgreSQL."""

    def __init__(self, buckets: RateLimits, rate: float, burst: float) -> None:
        self.buckets, self.rate, self.burst = buckets, rate, burst

    def take(self, key: str) -> None:
        if not self.buckets.take(key, self.rate, self.burst):
            raise TooManyRequests("too many requests for this token; retry in a moment")


AUTHENTICATED = "fieldapp.authenticated"
"""Where a request's scope keeps (token, user) once checked: the upload gate checks first,
the route reuses it (one rate-limit step per request)."""


def token_in(scope: Scope) -> str:
    """The token a request carries: an app-user path `/v1/key/T/...`, or `Authorization: Bearer T`."""
    path: str = scope["path"]
    if path.startswith("/v1/key/"):
        return path.removeprefix("/v1/key/").partition("/")[0]
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if scheme.lower() == "bearer" else ""
    return ""


def authenticate(request: Request, token: str) -> User:
    state = request.scope.setdefault("state", {})
    known = state.get(AUTHENTICATED)
    if known is not None and known[0] == token:
        user: User = known[1]
        return user
    if not token:
        raise Unauthorized("send Authorization: Bearer <token>")
    storage: Storage = request.app.state.storage
    limiter: RateLimiter = request.app.state.limiter
    digest = hash_token(token)
    found = storage.user_by_token(digest)
    if found is None:
        raise Unauthorized(unknown_token_message(storage, request.app.state.upstream))
    limiter.take(digest)
    state[AUTHENTICATED] = (token, found)
    return found


def bearer_user(request: Request) -> User:
    return authenticate(request, token_in(request.scope))


CurrentUser = Annotated[User, Depends(bearer_user)]


def admin_user(user: CurrentUser) -> User:
    if user.role != "admin":
        raise Forbidden("only an admin reads this")
    return user


CurrentAdmin = Annotated[User, Depends(admin_user)]

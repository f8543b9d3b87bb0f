"""Domain errors of the server, and the one place they become HTTP responses."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from sync.server.api.openrosa_xml import openrosa_message


class DomainError(Exception):
    """Base of the server's domain errors: a refusal a client should see as a message.
    `install_error_handlers` maps each to its HTTP `status`; the cli prints the message."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequest(DomainError):
    status = 400


class Unauthorized(DomainError):
    status = 401


class Forbidden(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class TooLarge(DomainError):
    status = 413


class TooManyRequests(DomainError):
    status = 429


def install_error_handlers(app: FastAPI) -> None:
    """Map every domain error (and malformed bodies) to a JSON `{"detail": message}` response.

    OpenRosa routes render their own XML bodies from the same errors (see `openrosa`)."""

    async def domain(request: Request, error: Exception) -> Response:
        assert isinstance(error, DomainError)
        if request.url.path.startswith("/v1/key/"):
            return Response(
                openrosa_message(error.message),
                status_code=error.status,
                media_type="text/xml; charset=utf-8",
                headers={"X-OpenRosa-Version": "1.0"},
            )
        return JSONResponse({"detail": error.message}, status_code=error.status)

    async def invalid(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        first = error.errors()[0] if error.errors() else {}
        # "invalid query parameter offset: ...", "invalid request body at body.items.0: ..."
        place = [str(part) for part in first.get("loc", ())]
        kinds = {"query": "query parameter", "path": "path parameter", "header": "header"}
        if len(place) > 1 and place[0] in kinds:
            where = f"{kinds[place[0]]} {'.'.join(place[1:])}"
        else:
            where = "request body at " + ".".join(place)
        said = str(first.get("msg", "not valid")).removeprefix("Value error, ")  # our own words
        message = f"invalid {where}: {said}"
        return JSONResponse({"detail": message}, status_code=422)

    app.add_exception_handler(DomainError, domain)
    app.add_exception_handler(RequestValidationError, invalid)

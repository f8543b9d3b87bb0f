"""Errors the sync client raises, each with a message a user can act on."""

from __future__ import annotations

from collections.abc import Callable

ReadAttachment = Callable[[str, str], bytes]
"""How the client reads an attachment: (instance_id, file name) -> bytes."""


class SyncError(Exception):
    """A sync step failed; `str(error)` is the message in English. `code`, when set, names the
    message (with `params`) in the app's word lists, so the app says it in the user's
    language; without one the app shows the English text."""

    code: str | None = None

    def __init__(self, message: str, code: str | None = None, **params: object) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.params = params


class ConnectionFailed(SyncError):
    """The server could not be reached, or the connection broke, even after retries."""

    code = "sync.offline"


class ServerRefused(SyncError):
    """The server refused a request or failed it: it answered with an error status (after
    retries for 5xx and 429). `status` is that status, `params["detail"]` the server's reason."""

    code = "sync.server_refused"

    def __init__(self, message: str, status: int, detail: str = "") -> None:
        super().__init__(message, status=status, detail=detail or message)
        self.status = status


class AuthError(ServerRefused):
    """The device token was refused (401/403): the device must be provisioned again."""

    code = "sync.unauthorized"


class ProtocolError(SyncError):
    """The server answered something that is not what the protocol promises."""


class ProvisioningError(SyncError):
    """A provisioning QR code or settings text could not be read."""

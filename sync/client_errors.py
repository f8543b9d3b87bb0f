"""Errors the sync client raises, each with a message a user can act on."""

from __future__ import annotations

from collections.abc import Callable

ReadAttachment = Callable[[str, str], bytes]
"""How the client reads an attachment: (instance_id, file name) -> bytes."""


class SyncError(Exception):
    """A sync step failed; `str(error)` is the message shown to the user."""


class ConnectionFailed(SyncError):
    """The server could not be reached, or the connection broke, even after retries."""


class ServerError(SyncError):
    """The server answered with an error status (after retries for 5xx and 429)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class AuthError(ServerError):
    """The device token was refused (401/403): the device must be provisioned again."""


class ProtocolError(SyncError):
    """The server answered something that is not what the protocol promises."""


class ProvisioningError(SyncError):
    """A provisioning QR code or settings text could not be read."""

"""Wire models shared by the device client and the server (batch sync API v1).

`instance_id` (the form's `meta/instanceID`) is the idempotency key everywhere:
a resend of the same XML is a "duplicate", never an error.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

API_PREFIX = "/api/v1"
RESULT_FIELDS_HEADER = "X-Fieldapp-Result-Fields"
"""A batch request lists here the optional `ItemResult` fields its client reads; the server
leaves the others out, as a client that predates them refuses unknown fields."""

ItemStatus = Literal["stored", "duplicate", "conflict", "rejected"]
Decision = Literal["approved", "has_issues", "rejected"]


class WireModel(BaseModel):
    """Base config for every model on the wire: unknown fields are refused, values frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


def _unset(value: object) -> bool:
    return value is None


def later() -> Any:
    """An optional field added after version 1: left out of the JSON when unset, so a peer
    that predates it (and refuses unknown fields) still reads what it is sent."""
    return Field(default=None, exclude_if=_unset)


class AttachmentRef(WireModel):
    name: str
    sha256: str
    size: int


class SubmissionItem(WireModel):
    """`enumerator` and `device_id`: who made the interview and on which device, when a
    district hub forwards it (a device leaves them out: the token and the batch say it)."""

    instance_id: str
    form_id: str
    form_version: str | None = None
    xml: str
    attachments: list[AttachmentRef] = []
    enumerator: str | None = later()
    device_id: str | None = later()


class SubmissionBatch(WireModel):
    batch_id: str
    device_id: str
    items: list[SubmissionItem]


class ItemResult(WireModel):
    """`ignored_attachments`: files the item declared that no field of its XML names; the
    server keeps none of them and asks for none (the `message` names them too)."""

    instance_id: str
    status: ItemStatus
    missing_attachments: list[str] = []
    message: str | None = None
    ignored_attachments: list[str] = []


class BatchResult(WireModel):
    batch_id: str
    results: list[ItemResult]


class MediaInfo(WireModel):
    name: str
    hash: str
    download_url: str


class FormInfo(WireModel):
    form_id: str
    version: str | None
    title: str
    hash: str
    download_url: str
    media: list[MediaInfo] = []


class ReviewComment(WireModel):
    ref: str | None = None
    text: str
    author: str
    at: str


class ReturnedInstance(WireModel):
    """`enumerator` and `seq` go to a district hub only: whose interview it is (the hub may
    never have held it) and the central server's number for this return, the position a
    device's pull cursor counts in at the hub as at the central server."""

    instance_id: str
    form_id: str
    form_version: str | None
    xml: str
    comments: list[ReviewComment]
    returned_at: str
    enumerator: str | None = later()
    seq: int | None = later()


class PullResult(WireModel):
    cursor: str
    forms: list[FormInfo]
    returned: list[ReturnedInstance]


class HubUser(WireModel):
    """A user a district hub checks device tokens against (`GET /api/v1/hub/users`): the
    token's sha256, never the token."""

    name: str
    role: str
    district: str | None
    token_sha256: str
    revoked: bool


class HubUsers(WireModel):
    users: list[HubUser]


class DeviceSettings(WireModel):
    """What a provisioning QR code carries."""

    server_url: str
    token: str
    project: str
    username: str | None = None


class ReviewRequest(WireModel):
    """Body of `POST /api/v1/review/{instance_id}` (supervisor of the instance's district)."""

    decision: Decision
    comment: str = ""
    question_comments: dict[str, str] = {}

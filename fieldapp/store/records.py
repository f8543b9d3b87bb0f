"""What the store hands out: immutable records of forms, instances, attachments and paradata."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

DRAFT: Final = "draft"
FINALIZED: Final = "finalized"
SENT: Final = "sent"
RETURNED: Final = "returned"
SUPERSEDED: Final = "superseded"
"""A returned instance once it has been edited: kept, but replaced by its new instanceID."""

STATES: Final = (DRAFT, FINALIZED, SENT, RETURNED, SUPERSEDED)


@dataclass(frozen=True, slots=True)
class FormRecord:
    form_id: str
    version: str | None
    title: str
    hash: str
    """`md5:<hex>` of the XForm text, as OpenRosa form lists give it."""
    xform: str
    downloaded_at: str


@dataclass(frozen=True, slots=True)
class Comment:
    """A supervisor's comment on a returned instance; `ref` names the question, if any."""

    ref: str | None
    text: str
    author: str
    at: str


@dataclass(frozen=True, slots=True)
class InstanceRecord:
    instance_id: str
    form_id: str
    form_version: str | None
    state: str
    xml: str
    name: str | None
    position: str | None
    """Where the enumerator was (a screen ref), so a resumed draft opens there."""
    created_at: str
    updated_at: str
    finalized_at: str | None
    sent_at: str | None
    deprecated_id: str | None
    comments: tuple[Comment, ...] = ()
    language: str | None = None
    """The form language the interview was left in (None: never chosen on this device)."""


@dataclass(frozen=True, slots=True)
class Attachment:
    instance_id: str
    filename: str
    sha256: str
    size: int
    path: Path


@dataclass(frozen=True, slots=True)
class Event:
    """One line of paradata, like ODK's audit log: `shown`, `answered`, `changed`, ..."""

    instance_id: str
    event: str
    ref: str | None
    value: str | None
    at: str

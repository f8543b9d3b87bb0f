"""The on-device store: forms, instances, attachments, paradata and settings in one SQLite file."""

from fieldapp.store.errors import StoreError
from fieldapp.store.records import (
    STATES,
    Attachment,
    Comment,
    Event,
    FormRecord,
    InstanceRecord,
)
from fieldapp.store.store import SETTING_KEYS, Store

__all__ = [
    "SETTING_KEYS",
    "STATES",
    "Attachment",
    "Comment",
    "Event",
    "FormRecord",
    "InstanceRecord",
    "Store",
    "StoreError",
]

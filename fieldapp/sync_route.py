"""Which server a sync talks to: the district hub when it answers, else the central server.

A device can know two addresses: its district hub's (`hub_url`, on the office network) and
the central server's (`server_url`). The same token works on both. Before each sync the hub
is asked once, with a short timeout, whether it answers and accepts the token (a pull that
can find nothing, which costs it next to nothing); if it does, the whole sync goes through
it, else through the central server. A hub answers a pull in the central server's numbering
(`sync/server/api/batch.py`), so the device keeps one pull cursor whichever way it syncs: a
returned interview it got from one comes after its cursor at the other, and arrives once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Final, Protocol

import httpx

from fieldapp.store import Store
from sync.client import OpenRosaClient, SyncClient, SyncError
from sync.client_errors import ReadAttachment
from sync.client_http import RetryPolicy
from sync.protocol import (
    API_PREFIX,
    DeviceSettings,
    FormInfo,
    ItemResult,
    PullResult,
    SubmissionItem,
)
from sync.provisioning import app_user_url

__all__ = [
    "PULL_CURSOR",
    "Client",
    "HubClient",
    "NotProvisioned",
    "client_from_settings",
    "hub_answers",
]

PROTOCOL_BATCH: Final = "batch"
PROTOCOL_OPENROSA: Final = "openrosa"
PULL_CURSOR: Final = "sync_cursor"
LAST_CURSOR: Final = "9" * 18
"""The largest pull cursor the server takes (18 digits)."""
HUB_TIMEOUT_S: Final = 2.0
"""How long the hub may take to answer before the central server is used instead."""
RETRY: Final = RetryPolicy(attempts=3)
"""Within one sync, a call is tried 3 times (about 1.5 s of waiting at most): enough for a
blip; a server that stays away is the automatic sending's backoff's business."""

Probe = Callable[[DeviceSettings], bool]


class Client(Protocol):
    def push(
        self,
        items: Iterable[SubmissionItem],
        read_attachment: ReadAttachment,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> list[ItemResult]: ...
    def pull(self, cursor: str | None) -> PullResult: ...
    def download_form(self, info: FormInfo) -> tuple[str, dict[str, bytes]]: ...
    def close(self) -> None: ...


class NotProvisioned(SyncError):
    code = "sync.no_server"


class HubClient(SyncClient):
    """The batch client, talking to the hub (same protocol, same token, same pull cursor)."""


def hub_answers(settings: DeviceSettings, timeout: float = HUB_TIMEOUT_S) -> bool:
    """True when the hub at `settings.server_url` answers within `timeout` and takes the token.

    It is asked for what changed after the largest cursor there is: nothing, so the answer
    is two empty lists, whatever the hub holds."""
    try:
        answer = httpx.get(
            f"{settings.server_url.rstrip('/')}{API_PREFIX}/pull",
            params={"cursor": LAST_CURSOR},
            headers={"Authorization": f"Bearer {settings.token}"},
            timeout=timeout,
        )
    except httpx.HTTPError:
        return False
    return answer.status_code == 200


def client_from_settings(store: Store, probe: Probe = hub_answers) -> Client:
    server_url, token = store.get_setting("server_url"), store.get_setting("token")
    hub_url = store.get_setting("hub_url")
    if not token or not (server_url or hub_url):
        raise NotProvisioned(
            "This device is not set up for a server yet: scan the provisioning QR code first."
        )
    project = store.get_setting("project") or "1"
    device = store.get_setting("device_id") or "unknown"
    if store.get_setting("protocol") == PROTOCOL_OPENROSA and server_url:
        settings = DeviceSettings(server_url=server_url, token=token, project=project)
        return OpenRosaClient(app_user_url(settings), retry=RETRY)
    if hub_url and (
        not server_url or probe(DeviceSettings(server_url=hub_url, token=token, project=project))
    ):
        return HubClient(hub_url, token, device_id=device, retry=RETRY)
    return SyncClient(server_url or "", token, device_id=device, retry=RETRY)

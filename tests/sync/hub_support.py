"""A district hub in-process over a central server of `server_support` (the hub's upstream
calls go to the central app through its test transport), and devices syncing to either."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi.testclient import TestClient
from server_support import Server

from sync.client import SyncClient
from sync.server.app import ServerConfig, create_app
from sync.server.hub.relay import Forwarder
from sync.server.hub.users import UpstreamClient
from sync.server.storage import Storage

UPSTREAM = "http://testserver"


@dataclass
class Hub:
    client: TestClient
    storage: Storage
    forwarder: Forwarder

    def device(self, token: str, device_id: str = "tablet-7") -> SyncClient:
        """A device's sync client pointed at this hub."""
        return SyncClient(UPSTREAM, token, transport=self.client._transport, device_id=device_id)


def start_hub(
    data: Path, central: Server, coordinator: str = "hub", database: str | None = None
) -> Hub:
    """A hub on `data` whose upstream is `central`, signed in as `coordinator`; its users
    come from upstream at `forwarder.users.refresh()` (or a relay round). On PostgreSQL its
    `database` is its own (`other_database`), never the central server's."""
    config = ServerConfig(data, require_known_form=False, upstream=UPSTREAM, database=database)
    app = create_app(config)
    upstream = UpstreamClient(
        UPSTREAM,
        central.tokens[coordinator],
        transport=central.client._transport,
        device_id="relay",
    )
    forwarder = Forwarder(app.state.storage, app.state.blobs, upstream, name=UPSTREAM)
    return Hub(TestClient(app), app.state.storage, forwarder)


def direct(central: Server, user: str, device_id: str = "tablet-7") -> SyncClient:
    """A device's sync client pointed at the central server."""
    return SyncClient(
        UPSTREAM, central.tokens[user], transport=central.client._transport, device_id=device_id
    )

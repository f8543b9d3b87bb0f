"""Hub or central (#20 item 3): the hub when it answers and takes the token, else the
central server; one pull cursor whichever way (a hub answers in the central server's
numbering); what a setup code says about both."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from fieldapp.store import Store
from fieldapp.sync_agent import SyncAgent, provision_from_code, set_addresses
from fieldapp.sync_route import (
    PULL_CURSOR,
    HubClient,
    client_from_settings,
    hub_answers,
)
from sync.client import OpenRosaClient, SyncClient
from sync.protocol import DeviceSettings, PullResult
from sync.provisioning import SetupOptions, encode_settings
from tests.waiting import free_port

CENTRAL = DeviceSettings(server_url="http://127.0.0.1:8001", token="tok", project="north")
HUB = "http://127.0.0.1:8002"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "fieldapp.db") as opened:
        provision_from_code(opened, encode_settings(CENTRAL, SetupOptions(hub_url=HUB)))
        yield opened


def test_the_hub_is_used_when_it_answers_else_the_central_server(store: Store) -> None:
    asked: list[DeviceSettings] = []

    def hub_up(settings: DeviceSettings) -> bool:
        asked.append(settings)
        return True

    client = client_from_settings(store, hub_up)
    assert isinstance(client, HubClient) and client.base_url == HUB
    assert asked == [DeviceSettings(server_url=HUB, token="tok", project="north")]
    client = client_from_settings(store, lambda _: False)
    assert type(client) is SyncClient and client.base_url == CENTRAL.server_url


def test_a_device_with_only_a_hub_uses_it_without_asking(store: Store) -> None:
    store.set_setting("server_url", None)

    def never(_: DeviceSettings) -> bool:
        raise AssertionError("no choice to make")

    assert isinstance(client_from_settings(store, never), HubClient)


def test_a_plain_odk_collect_device_keeps_openrosa_to_its_server(store: Store) -> None:
    store.set_setting("protocol", "openrosa")
    assert isinstance(client_from_settings(store, lambda _: True), OpenRosaClient)


class PullOnly(HubClient):
    """The hub's client, its pull answered here."""

    def pull(self, cursor: str | None) -> PullResult:
        self.asked = cursor
        return PullResult(cursor="57", forms=[], returned=[])


def test_the_hub_is_asked_from_the_cursor_the_central_server_gave(store: Store) -> None:
    """A hub numbers returns as the central server does (sync/server/api/batch.py), so a return the
    device got directly is behind its cursor at the hub too: one cursor, each return once."""
    store.set_setting(PULL_CURSOR, "41")
    hub = PullOnly(HUB, "tok")
    assert SyncAgent(store, lambda _: hub).run_once().error is None
    assert hub.asked == "41"
    assert store.get_setting(PULL_CURSOR) == "57"


def test_a_new_token_restarts_the_cursor_a_new_hub_does_not(store: Store) -> None:
    store.set_setting(PULL_CURSOR, "41")
    other = SetupOptions(hub_url="http://127.0.0.1:8003", autosend=False)
    provision_from_code(store, encode_settings(CENTRAL, other))
    assert store.get_setting(PULL_CURSOR) == "41"
    assert store.get_setting("hub_url") == "http://127.0.0.1:8003"
    assert store.get_setting("autosend") == "off"
    provision_from_code(store, encode_settings(CENTRAL))  # says nothing of sending: kept
    assert store.get_setting("autosend") == "off" and store.get_setting("hub_url") is None
    provision_from_code(store, encode_settings(CENTRAL.model_copy(update={"token": "new"})))
    assert store.get_setting(PULL_CURSOR) is None


def test_another_central_server_in_settings_restarts_the_cursor(store: Store) -> None:
    store.set_setting(PULL_CURSOR, "41")
    set_addresses(store, CENTRAL.server_url, "http://127.0.0.1:8004")
    assert store.get_setting(PULL_CURSOR) == "41"
    set_addresses(store, "http://127.0.0.1:8005", None)
    assert store.get_setting(PULL_CURSOR) is None and store.get_setting("hub_url") is None


class Hub(BaseHTTPRequestHandler):
    """Answers a pull after the last cursor as our server does: 200 and nothing new for the
    known token, else 401."""

    def do_GET(self) -> None:
        asked = self.path == f"/api/v1/pull?cursor={'9' * 18}"
        known = self.headers.get("Authorization") == "Bearer tok"
        self.send_response(200 if asked and known else 401)
        self.end_headers()
        self.wfile.write(b'{"cursor": "7", "forms": [], "returned": []}' if known else b"")

    def log_message(self, *_: object) -> None:
        pass


def test_the_hub_answers_only_when_it_is_there_and_takes_the_token() -> None:
    port = free_port()
    settings = DeviceSettings(server_url=f"http://127.0.0.1:{port}", token="tok", project="north")
    assert not hub_answers(settings, timeout=0.5)  # nothing listens there
    server = ThreadingHTTPServer(("127.0.0.1", port), Hub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        assert hub_answers(settings)
        assert not hub_answers(settings.model_copy(update={"token": "revoked"}))
    finally:
        server.shutdown()
        server.server_close()

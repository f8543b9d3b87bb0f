"""The real `fieldapp-server` commands: `users qr` provisions a device; `relay` forwards exactly once."""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from server_support import DEMO_FORM, instance_xml

from sync.client import SyncClient
from sync.protocol import SubmissionItem
from sync.provisioning import decode_qr_image, decode_settings
from sync.server.app import ServerConfig, create_app, open_storage
from sync.server.auth import add_user
from sync.server.cli import main
from sync.server.publish import publish_file

CLI = [sys.executable, "-c", "from sync.server.cli import main; raise SystemExit(main())"]


def test_users_qr_writes_a_png_that_provisions_the_device(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = str(tmp_path / "data")
    assert main(["users", "add", "ama", "--role", "enumerator", "--data", data]) == 0
    old_token = capsys.readouterr().out.strip()
    png = tmp_path / "ama.png"
    url = "http://10.0.0.5:8000"
    assert main(["users", "qr", "ama", "-o", str(png), "--url", url, "--data", data]) == 0
    assert "older ones stop working" in capsys.readouterr().out

    settings = decode_settings(decode_qr_image(png.read_bytes()))
    assert (settings.server_url, settings.project, settings.username) == (url, "1", "ama")
    client = TestClient(create_app(ServerConfig(tmp_path / "data")))
    assert client.get(f"/v1/key/{settings.token}/projects/1/formList").status_code == 200
    assert client.get(f"/v1/key/{old_token}/projects/1/formList").status_code == 401

    missing = tmp_path / "nobody.png"
    assert main(["users", "qr", "nobody", "-o", str(missing), "--url", url, "--data", data]) == 1
    assert "no user 'nobody'" in capsys.readouterr().err and not missing.exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(*commands: tuple[list[str], str]) -> list[subprocess.Popen[bytes]]:
    """Start the commands together (they take a while to import), then wait for each to answer."""
    processes = [subprocess.Popen([*CLI, *args]) for args, _ in commands]
    deadline = time.monotonic() + 30
    for process, (args, url) in zip(processes, commands, strict=True):
        while True:
            try:
                httpx.get(f"{url}/api/v1/pull", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    for started in processes:
                        started.kill()
                    raise AssertionError(f"{args[0]} did not answer on {url}") from None
                time.sleep(0.05)
    return processes


def _rows(db: Path, sql: str) -> list[tuple[str, ...]]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
        return [tuple(row) for row in connection.execute(sql).fetchall()]


def _wait_for(condition: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_relay_forwards_exactly_once_across_hub_and_upstream_restarts(tmp_path: Path) -> None:
    central, hub = tmp_path / "central", tmp_path / "hub"
    storage, blobs = open_storage(central)
    publish_file(storage, blobs, DEMO_FORM, runs=1)
    hub_token = add_user(storage, "district-hub", "coordinator", "north")
    device_token = add_user(open_storage(hub)[0], "ama", "enumerator", "north")
    central_port, hub_port = _free_port(), _free_port()
    central_url, hub_url = f"http://127.0.0.1:{central_port}", f"http://127.0.0.1:{hub_port}"
    serve = ["serve", "--data", str(central), "--port", str(central_port)]
    relay = ["relay", "--upstream", central_url, f"--token={hub_token}", "--data", str(hub)]
    relay += ["--host", "127.0.0.1", "--port", str(hub_port), "--interval", "0.2"]
    items = [
        SubmissionItem(
            instance_id=f"uuid:h{i}", form_id="demo_household", xml=instance_xml(f"uuid:h{i}")
        )
        for i in range(5)
    ]

    def upstream_ids() -> list[tuple[str, ...]]:
        return _rows(
            central / "server.db", "SELECT instance_id, enumerator FROM submissions ORDER BY 1"
        )

    upstream, district = _start((serve, central_url), (relay, hub_url))
    try:
        with SyncClient(hub_url, device_token) as device:
            assert {r.status for r in device.push(items[:3], lambda i, n: b"")} == {"stored"}
            _wait_for(lambda: len(upstream_ids()) == 3)

            upstream.kill()  # the uplink goes down; the hub still takes the devices' syncs
            upstream.wait()
            assert {r.status for r in device.push(items[3:], lambda i, n: b"")} == {"stored"}
            district.kill()  # and the coordinator's laptop is switched off
            district.wait()
            upstream, district = _start((serve, central_url), (relay, hub_url))
            statuses = [r.status for r in device.push(items, lambda i, n: b"")]
            assert statuses == ["duplicate"] * 5
            _wait_for(lambda: len(upstream_ids()) == 5)
            time.sleep(0.6)  # a few more rounds forward nothing twice
    finally:
        for process in (district, upstream):
            process.terminate()
            process.wait(timeout=10)
    assert upstream_ids() == [(f"uuid:h{i}", "district-hub") for i in range(5)]
    assert _rows(hub / "server.db", "SELECT DISTINCT outbox FROM submissions") == [("sent",)]

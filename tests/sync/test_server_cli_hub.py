"""The real `fieldapp-server` commands: `users qr` provisions a device; `relay` forwards exactly once."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO

import httpx
import pytest
from fastapi.testclient import TestClient
from server_support import CLI, DEMO_FORM, instance_xml

from sync.client import SyncClient
from sync.protocol import SubmissionItem
from sync.provisioning import decode_options, decode_qr_image, decode_settings
from sync.server.api.auth import add_user
from sync.server.app import ServerConfig, create_app, open_storage
from sync.server.cli import main
from sync.server.publish import publish_file
from tests.waiting import free_port, wait_serving, wait_until

pytestmark = pytest.mark.server_storage


def test_users_qr_writes_a_png_that_provisions_the_device(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = str(tmp_path / "data")
    assert main(["users", "add", "ama", "--role", "enumerator", "--data", data]) == 0
    old_token = capsys.readouterr().out.splitlines()[0]
    png = tmp_path / "ama.png"
    url = "http://10.0.0.5:8000"
    assert (
        main(["users", "qr", "ama", "-o", str(png), "--url", url, "--rotate", "--data", data]) == 0
    )
    assert "older ones stop working" in capsys.readouterr().out

    settings = decode_settings(decode_qr_image(png.read_bytes()))
    assert (settings.server_url, settings.project, settings.username) == (url, "1", "ama")
    client = TestClient(create_app(ServerConfig(tmp_path / "data")))
    assert client.get(f"/v1/key/{settings.token}/projects/1/formList").status_code == 200
    assert client.get(f"/v1/key/{old_token}/projects/1/formList").status_code == 401

    missing = tmp_path / "nobody.png"
    assert (
        main(
            ["users", "qr", "nobody", "-o", str(missing), "--url", url, "--rotate", "--data", data]
        )
        == 1
    )
    assert "no user 'nobody'" in capsys.readouterr().err and not missing.exists()


def test_one_qr_code_for_the_office_and_hq(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`users qr --hub` puts the hub's address beside the central server's: one code, one
    token, the device syncs through whichever answers (the hub first)."""
    data = str(tmp_path / "data")
    assert main(["users", "add", "ama", "--role", "enumerator", "--district", "north",
                 "--data", data]) == 0  # fmt: skip
    token = capsys.readouterr().out.splitlines()[0]
    png, hub = tmp_path / "ama.png", "http://192.168.1.20:8000"
    central = "https://central.example.org"
    qr = ["users", "qr", "ama", "-o", str(png), "--url", central, f"--token={token}"]
    assert main([*qr, "--hub", hub, "--data", data]) == 0
    text = decode_qr_image(png.read_bytes())
    assert (decode_settings(text).server_url, decode_settings(text).token) == (central, token)
    assert decode_options(text).hub_url == hub

    png.unlink()
    assert main([*qr, "--hub", "192.168.1.20", "--data", data]) == 1
    assert "give the hub's http:// or https:// address" in capsys.readouterr().err
    assert not png.exists()


RELAY_CLI = [
    sys.executable,
    "-c",
    "import logging, sys; logging.basicConfig(); logging.getLogger('fieldapp.relay').setLevel('DEBUG')\n"
    "sys.stdout = sys.stderr  # what it prints for the coordinator, in order with its log\n"
    "from sync.server.cli import main; raise SystemExit(main())",
]
ROUND = re.compile(r"relay round: (\d+) forwarded")


class RelayRounds:
    """What each round of a relay forwarded, read from its log (at DEBUG, on its stderr)."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        assert process.stderr is not None
        self.forwarded: list[int] = []
        self.lines: list[str] = []
        self._changed = threading.Condition()
        threading.Thread(target=self._read, args=(process.stderr,), daemon=True).start()

    def _read(self, stream: IO[bytes]) -> None:
        for raw in stream:
            line = raw.decode("utf-8", "replace")
            with self._changed:
                self.lines.append(line)
                if found := ROUND.search(line):
                    self.forwarded.append(int(found[1]))
                self._changed.notify_all()

    def wait_until(self, settled: Callable[[list[int]], bool], what: str) -> None:
        """Until what each round forwarded, in order, is `settled`; fails after a minute."""
        self.wait_said(lambda _: settled(self.forwarded), what)

    def wait_said(self, settled: Callable[[list[str]], bool], what: str) -> None:
        """Until the lines the relay logged are `settled`; fails after a minute."""
        with self._changed:
            if not self._changed.wait_for(lambda: settled(self.lines), 60):
                tail = "".join(self.lines[-20:])
                raise AssertionError(f"waited 60 s for {what}, in vain; the relay said:\n{tail}")


def _start(
    central: list[str], central_port: int, hub: list[str], hub_port: int
) -> tuple[subprocess.Popen[bytes], subprocess.Popen[bytes], RelayRounds]:
    """Start both servers together (they take a while to import), then wait for each."""
    upstream = subprocess.Popen([*CLI, *central])
    district = subprocess.Popen([*RELAY_CLI, *hub], stderr=subprocess.PIPE)
    rounds = RelayRounds(district)
    try:
        wait_serving(upstream, central_port)
        wait_serving(district, hub_port)
    except AssertionError:
        for started in (upstream, district):
            started.kill()
            started.wait()
        raise
    return upstream, district, rounds


def _database(url: str | None) -> list[str]:
    """The `--database` of a second server (the hub's own, on PostgreSQL)."""
    return ["--database", url] if url else []


def test_relay_forwards_exactly_once_across_hub_and_upstream_restarts(
    tmp_path: Path, other_database: str | None
) -> None:
    central, hub = tmp_path / "central", tmp_path / "hub"
    storage, blobs = open_storage(central)
    held_by_hub, _ = open_storage(hub, other_database)
    publish_file(storage, blobs, DEMO_FORM, runs=1)
    hub_token = add_user(storage, "district-hub", "coordinator", "north")
    device_token = add_user(storage, "ama", "enumerator", "north")  # made at HQ, used at the hub
    central_port, hub_port = free_port(), free_port()
    central_url, hub_url = f"http://127.0.0.1:{central_port}", f"http://127.0.0.1:{hub_port}"
    serve = ["serve", "--data", str(central), "--port", str(central_port)]
    relay = ["relay", "--upstream", central_url, f"--token={hub_token}", "--data", str(hub)]
    relay += [*_database(other_database), "--host", "127.0.0.1", "--port", str(hub_port)]
    relay += ["--interval", "0.2"]
    items = [
        SubmissionItem(
            instance_id=f"uuid:h{i}", form_id="demo_household", xml=instance_xml(f"uuid:h{i}")
        )
        for i in range(5)
    ]

    def hub_outbox() -> set[str | None]:
        return {held_by_hub.outbox_state(item.instance_id) for item in items}

    def upstream_ids() -> list[tuple[str | None, ...]]:
        held = [storage.submission(item.instance_id) for item in items]
        return [(s.instance_id, s.enumerator, s.device_id, s.via) for s in held if s]

    upstream, district, rounds = _start(serve, central_port, relay, hub_port)
    try:
        wait_until(lambda: _pull_status(hub_url, device_token) == 200, "the hub's users")
        with SyncClient(hub_url, device_token, device_id="tablet-3") as device:
            assert {r.status for r in device.push(items[:3], lambda i, n: b"")} == {"stored"}
            wait_until(lambda: len(upstream_ids()) == 3, "3 submissions upstream")
            ready = (
                f"Hub ready on {hub_url}: 1 user of district north from {central_url};"
                " forwarding every 0.2 s"
            )
            rounds.wait_said(lambda lines: forwarded_said(lines, central_url) == 3, "3 told")
            assert [line.strip() for line in rounds.lines if "Hub ready" in line] == [ready]

            upstream.kill()  # the uplink goes down; the hub still takes the devices' syncs
            upstream.wait()
            assert {r.status for r in device.push(items[3:], lambda i, n: b"")} == {"stored"}
            district.kill()  # and the coordinator's laptop is switched off
            district.wait()
            upstream, district, rounds = _start(serve, central_port, relay, hub_port)
            statuses = [r.status for r in device.push(items, lambda i, n: b"")]
            assert statuses == ["duplicate"] * 5
            wait_until(lambda: len(upstream_ids()) == 5, "5 submissions upstream")
            wait_until(lambda: hub_outbox() == {"sent"}, "the hub's outbox all sent")
            # the restarted hub forwards what it held (again, if the uplink fell before its
            # answer came), then round after round nothing: nothing is forwarded twice
            rounds.wait_until(
                lambda forwarded: sum(forwarded) > 0 and forwarded[-3:] == [0, 0, 0],
                "three rounds that forward nothing",
            )
    finally:
        for process in (district, upstream):
            process.terminate()
            process.wait(timeout=10)
    assert upstream_ids() == [(f"uuid:h{i}", "ama", "tablet-3", "district-hub") for i in range(5)]
    assert hub_outbox() == {"sent"}


def forwarded_said(lines: list[str], upstream: str) -> int:
    """How many interviews the relay's lines for the coordinator say it forwarded."""
    said = re.compile(rf"^(\d+) interviews? forwarded to {re.escape(upstream)}")
    return sum(int(found[1]) for line in lines if (found := said.match(line)))


def _pull_status(url: str, token: str) -> int:
    return httpx.get(f"{url}/api/v1/pull", headers={"Authorization": f"Bearer {token}"}).status_code


def test_a_hub_started_offline_says_what_to_do_then_follows_the_upstreams_users(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], other_database: str | None
) -> None:
    """Started with the uplink down and no users yet, the relay says so in one line and keeps
    trying; once the central server answers, its users work at the hub, until revoked."""
    central, hub = tmp_path / "central", tmp_path / "hub"
    storage, _ = open_storage(central)
    hub_token = add_user(storage, "district-hub", "coordinator", "north")
    device_token = add_user(storage, "ama", "enumerator", "north")
    central_port, hub_port = free_port(), free_port()
    hub_url = f"http://127.0.0.1:{hub_port}"
    relay = ["relay", "--upstream", f"http://127.0.0.1:{central_port}", f"--token={hub_token}"]
    relay += ["--data", str(hub), *_database(other_database)]
    relay += ["--host", "127.0.0.1", "--port", str(hub_port)]
    district = subprocess.Popen(
        [*RELAY_CLI, *relay, "--interval", "0.2", "--users-every", "0.5"], stderr=subprocess.PIPE
    )
    rounds, upstream = RelayRounds(district), None
    try:
        wait_serving(district, hub_port)
        rounds.wait_said(
            lambda lines: sum("relay round failed" in line for line in lines) >= 3,
            "three rounds with the uplink down",
        )
        told = [line for line in rounds.lines if "no tablet can sync to this hub yet" in line]
        assert len(told) == 1 and "cannot reach http://127.0.0.1" in told[0]
        device_words = ("provisioning code", "next sync continues")  # a tablet's, not a hub's
        assert not [line for line in rounds.lines if any(w in line for w in device_words)]
        assert not [line for line in rounds.lines if "Hub ready" in line]  # no users yet
        assert _pull_status(hub_url, device_token) == 401

        serve = ["serve", "--data", str(central), "--port", str(central_port)]
        upstream = subprocess.Popen([*CLI, *serve])
        wait_until(lambda: _pull_status(hub_url, device_token) == 200, "ama known at the hub")
        rounds.wait_said(
            lambda lines: any(
                line.startswith(f"Hub ready on {hub_url}: 1 user of") for line in lines
            ),
            "the hub saying it is ready",
        )
        assert main(["users", "revoke", "ama", "--data", str(central)]) == 0
        wait_until(lambda: _pull_status(hub_url, device_token) == 401, "ama refused at the hub")
        on_the_hub = ["users", "add", "late", "--role", "enumerator", "--district", "north"]
        on_the_hub += ["--data", str(hub), *_database(other_database)]
        assert main(on_the_hub) == 1  # users are managed at HQ
        assert "run this at HQ" in capsys.readouterr().err
    finally:
        for process in (district, upstream):
            if process is not None:
                process.terminate()
                process.wait(timeout=10)

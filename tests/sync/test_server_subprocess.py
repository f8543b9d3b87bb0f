"""The real `fieldapp-server` CLI: publish, add a user, serve on loopback, push with the client."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from server_support import DEMO_FORM, instance_xml

from sync.client import SyncClient
from sync.protocol import SubmissionItem

CLI = [sys.executable, "-c", "from sync.server.cli import main; raise SystemExit(main())"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_cli_publish_users_serve_and_sync(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    published = subprocess.run(
        [*CLI, "forms", "publish", str(DEMO_FORM), "--data", data],
        capture_output=True,
        text=True,
        check=True,
    )
    assert published.stdout.startswith("published: demo_household")
    again = subprocess.run(
        [*CLI, "forms", "publish", str(DEMO_FORM), "--data", data],
        capture_output=True,
        text=True,
        check=True,
    )
    assert again.stdout.startswith("unchanged")
    token = subprocess.run(
        [*CLI, "users", "add", "ama", "--role", "enumerator", "--district", "n", "--data", data],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    bad = subprocess.run(
        [*CLI, "users", "add", "x", "--role", "supervisor", "--data", data],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1 and "district" in bad.stderr and "Traceback" not in bad.stderr
    port = _free_port()
    server = subprocess.Popen([*CLI, "serve", "--data", data, "--port", str(port)])
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                httpx.get(f"{url}/api/v1/pull", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        with SyncClient(url, token) as client:
            items = [
                SubmissionItem(
                    instance_id=f"uuid:{i}", form_id="demo_household", xml=instance_xml(f"uuid:{i}")
                )
                for i in range(30)
            ]
            first = client.push(items, lambda i, n: b"")
            again = client.push(items, lambda i, n: b"")
            assert {r.status for r in first} == {"stored"} and {r.status for r in again} == {
                "duplicate"
            }
            assert [f.form_id for f in client.pull(None).forms] == ["demo_household"]
        head = httpx.head(f"{url}/v1/key/{token}/projects/1/submission")
        assert head.status_code == 204 and head.headers["X-OpenRosa-Version"] == "1.0"
    finally:
        server.terminate()
        server.wait(timeout=10)
    revoked = subprocess.run(
        [*CLI, "users", "revoke", "ama", "--data", data], capture_output=True, text=True, check=True
    )
    assert revoked.stdout.startswith("revoked")

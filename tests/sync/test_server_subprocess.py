"""The real `fieldapp-server` CLI: publish, add a user, serve on loopback, push with the client."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import pytest
from server_support import CLI, DEMO_FORM, instance_xml

from sync.client import SyncClient
from sync.protocol import SubmissionItem
from tests.waiting import free_port, wait_serving

pytestmark = pytest.mark.server_storage


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
    ).stdout.splitlines()[0]
    bad = subprocess.run(
        [*CLI, "users", "add", "x", "--role", "supervisor", "--data", data],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1 and "district" in bad.stderr and "Traceback" not in bad.stderr
    port = free_port()
    server = subprocess.Popen([*CLI, "serve", "--data", data, "--port", str(port)])
    try:
        url = f"http://127.0.0.1:{port}"
        wait_serving(server, port)
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

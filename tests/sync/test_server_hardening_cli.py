"""Issue #17, finding 5: `users add` prints the token and the app-user URL; `users qr` puts
that same token in the code (--token=T) or, only when asked (--rotate), a new one, and says
which; the relay says a sub-second retry interval as it is. The real `fieldapp-server`
commands, and a real `serve` over loopback for the tokens."""

from __future__ import annotations

import logging
import subprocess
import threading
from pathlib import Path

import httpx
import pytest
from server_support import CLI, serving

from sync.protocol import PullResult
from sync.provisioning import decode_qr_image, decode_settings
from sync.server.app import open_storage
from sync.server.hub.relay import Forwarder

pytestmark = pytest.mark.server_storage

URL = "http://10.0.0.5:8000"


def _cli(*args: str, data: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args, "--data", str(data)], capture_output=True, text=True)


def _token_in(png: Path) -> str:
    return decode_settings(decode_qr_image(png.read_bytes())).token


def _works(url: str, token: str) -> bool:
    answer = httpx.get(f"{url}/v1/key/{token}/projects/1/formList")
    assert answer.status_code in (200, 401)
    return answer.status_code == 200


def test_add_prints_the_url_and_qr_reuses_or_rotates_only_when_asked(tmp_path: Path) -> None:
    data = tmp_path / "data"
    added = _cli("users", "add", "ama", "--role", "enumerator", "--url", URL, data=data)
    token, url_line = added.stdout.splitlines()
    assert url_line == f"app-user URL for ODK Collect: {URL}/v1/key/{token}/projects/1"
    png = tmp_path / "ama.png"
    undecided = _cli("users", "qr", "ama", "-o", str(png), "--url", URL, data=data)
    assert undecided.returncode == 2 and not png.exists()
    assert "--token=T" in undecided.stderr and "--rotate" in undecided.stderr
    reused = _cli("users", "qr", "ama", "-o", str(png), "--url", URL, f"--token={token}", data=data)
    assert reused.returncode == 0, reused.stderr
    assert reused.stdout.startswith(f"wrote {png} with ama's current token, unchanged")
    assert _token_in(png) == token
    wrong = _cli("users", "qr", "ama", "-o", str(png), "--url", URL, "--token=nope", data=data)
    assert wrong.returncode == 1 and "not ama's current one" in wrong.stderr
    with serving(data) as url:
        assert _works(url, token)
        rotated = _cli("users", "qr", "ama", "-o", str(png), "--url", URL, "--rotate", data=data)
        assert "a new token for ama; older ones stop working" in rotated.stdout
        assert _token_in(png) != token
        assert _works(url, _token_in(png)) and not _works(url, token)


class DownUpstream:
    def push(self, items: object, read_attachment: object) -> list[object]:
        raise ConnectionError("uplink down")

    def pull(self, cursor: str | None) -> PullResult:
        raise ConnectionError("uplink down")

    def download_form(self, info: object) -> tuple[str, dict[str, bytes]]:
        raise ConnectionError("uplink down")


def test_the_relay_says_a_sub_second_retry_interval_as_it_is(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    storage, blobs = open_storage(tmp_path)
    stop = threading.Event()

    class StopAfterOne(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            stop.set()

    logger = logging.getLogger("fieldapp.relay")
    logger.addHandler(stopper := StopAfterOne())
    try:
        with caplog.at_level(logging.WARNING, "fieldapp.relay"):
            Forwarder(storage, blobs, DownUpstream()).run(stop, interval=0.2)  # type: ignore[arg-type]
    finally:
        logger.removeHandler(stopper)
    assert "relay round failed, retrying in 0.2s: uplink down" in caplog.text

"""Issue #17, finding 6 on the supervisor screens: the page a supervisor's token fills is never
cached, never framed, sends no referrer, is not type-sniffed, and carries a content security
policy that the Flutter client runs under in Chromium, blocking nothing of its own origin.
A real server and the real screens as subprocesses."""

from __future__ import annotations

import base64
import os
import re
import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from e2e_app import supervisor_app
from playwright.sync_api import Browser, expect

from sync.server.api.auth import add_user
from sync.server.app import open_storage
from sync.server.supervisor_ui.web_server import same_origin

ROOT = Path(__file__).resolve().parents[2]
WATCH = """
window.violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.violations.push({uri: e.blockedURI, directive: e.effectiveDirective});
});
"""


@pytest.fixture(scope="module")
def screens(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("headers") / "server"
    storage, _ = open_storage(data)
    sue = add_user(storage, "sue", "supervisor", "north")
    with supervisor_app(data, sue) as (_, url):
        yield url


def _directives(policy: str) -> dict[str, list[str]]:
    parts = (part.split() for part in policy.split(";") if part.strip())
    return {name: sources for name, *sources in parts}


def test_the_page_has_the_security_headers_and_a_policy_for_its_own_scripts(screens: str) -> None:
    page = httpx.get(screens)
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["x-frame-options"] == "DENY"
    policy = _directives(page.headers["content-security-policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]
    scripts = policy["script-src"]
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    inline = re.findall(r"<script>", page.text)
    assert len(inline) >= 1 and len([s for s in scripts if s.startswith("'sha256-")]) == len(inline)


def _handshake(url: str, origin: str) -> str:
    """The status line a websocket handshake to the screens' /ws gets, sent as a browser
    would from a page of `origin` (only refusals are tried over the wire: an accepted raw
    socket that never speaks Flet's protocol would hold the server's shutdown)."""
    parts = urlsplit(url)
    lines = [
        "GET /ws HTTP/1.1",
        f"Host: {parts.netloc}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}",
        "Sec-WebSocket-Version: 13",
        f"Origin: {origin}",
    ]
    with socket.create_connection((parts.hostname or "", parts.port or 80), timeout=30) as s:
        s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        return s.makefile("rb").readline().decode().strip()


def test_the_session_websocket_refuses_pages_of_other_origins(screens: str) -> None:
    """Any site the supervisor visits could otherwise open ws://127.0.0.1:8560/ws and drive
    a session that holds the supervisor's token. (The screens' own page connecting is shown
    by the Chromium test below.)"""
    for other in ("http://evil.example", "http://127.0.0.1:1", "null"):
        assert _handshake(screens, other).split()[1] == "403", other


@pytest.mark.parametrize(
    ("origin", "host", "accepted"),
    [
        ("http://127.0.0.1:8560", "127.0.0.1:8560", True),
        ("HTTP://LOCALHOST:8560", "localhost:8560", True),
        (None, "127.0.0.1:8560", True),
        ("http://127.0.0.1:8561", "127.0.0.1:8560", False),
        ("http://evil.example", "127.0.0.1:8560", False),
        ("null", "127.0.0.1:8560", False),
    ],
)
def test_same_origin_rule(origin: str | None, host: str, accepted: bool) -> None:
    headers = [(b"host", host.encode())] + ([(b"origin", origin.encode())] if origin else [])
    assert same_origin({"type": "websocket", "headers": headers}) is accepted


def test_the_runtime_files_are_not_sniffed_and_may_be_cached(screens: str) -> None:
    script = httpx.get(screens + "flutter_bootstrap.js")
    assert script.status_code == 200
    assert script.headers["x-content-type-options"] == "nosniff"
    assert "cache-control" not in script.headers
    assert "content-security-policy" not in script.headers


def test_the_screens_run_under_the_policy_and_it_blocks_only_other_origins(
    browser: Browser, screens: str
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.add_init_script(WATCH)
    page.goto(screens)
    page.wait_for_selector("flt-semantics-placeholder", state="attached", timeout=60_000)
    page.locator("flt-semantics-placeholder").dispatch_event("click")
    expect(page.get_by_text("No submissions match")).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="Exports").click()
    page.get_by_role("button", name="Queue").click()
    expect(page.get_by_text("Review queue")).to_be_visible()
    blocked = page.evaluate("window.violations")
    page.close()
    assert [v for v in blocked if v["uri"].startswith(screens.rstrip("/"))] == []
    assert all(v["uri"].startswith("https://") for v in blocked), blocked

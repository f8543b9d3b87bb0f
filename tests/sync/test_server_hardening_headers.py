"""Issue #17, finding 6: every answer of the server says not to cache it, not to sniff its
type, not to frame it and not to send a referrer (app-user URLs hold tokens); HTML (the
living income report) comes with a content security policy that still lets it show.
Against a real `fieldapp-server serve` over loopback."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hardening_support import Live, live_server

pytestmark = pytest.mark.server_storage

LIVING_INCOME = (
    Path(__file__).resolve().parents[2] / "forms" / "library" / "living_income_household.xlsx"
)
ALWAYS = {
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, shared_database: str | None) -> Iterator[Live]:
    with live_server(tmp_path_factory.mktemp("headers"), LIVING_INCOME) as server:
        yield server


def _get(live: Live, path: str, user: str | None = None) -> httpx.Response:
    headers = live.auth(user) if user else {}
    return httpx.get(live.url + path, headers=headers, timeout=60)


@pytest.mark.parametrize(
    ("path", "user", "status"),
    [
        ("/api/v1/review/queue", "sue", 200),  # what the supervisor screens read
        ("/api/v1/review/dashboard", "sue", 200),
        ("/api/v1/pull", "amina", 200),
        ("/api/v1/review/queue", None, 401),
        ("/api/v1/review/queue?offset=-1", "sue", 422),
    ],
)
def test_api_answers_carry_the_security_headers(
    live: Live, path: str, user: str | None, status: int
) -> None:
    answer = _get(live, path, user)
    assert answer.status_code == status
    assert {name: answer.headers.get(name) for name in ALWAYS} == ALWAYS
    assert "content-security-policy" not in answer.headers  # JSON: nothing to run


def test_openrosa_answers_carry_them_too(live: Live) -> None:
    answer = httpx.get(f"{live.openrosa('amina')}/formList")
    assert answer.status_code == 200
    assert {name: answer.headers.get(name) for name in ALWAYS} == ALWAYS


def test_a_refused_upload_carries_them(live: Live) -> None:
    answer = httpx.post(f"{live.url}/api/v1/submissions", content=b"{}")
    assert answer.status_code == 401
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["cache-control"] == "no-store"


def test_the_html_report_has_a_policy_that_allows_its_styles_and_nothing_else(
    live: Live,
) -> None:
    answer = _get(live, "/api/v1/report.html", "sue")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/html")
    policy = answer.headers["content-security-policy"]
    directives = dict(d.strip().partition(" ")[::2] for d in policy.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["style-src"] == "'unsafe-inline'"
    assert "script-src" not in directives and "sandbox" in directives
    assert "<style>" in answer.text  # what the policy lets through
    assert "<script" not in answer.text
    assert not re.search(r"""(src|href|url)\s*[=(]\s*["']?http""", answer.text), "nothing fetched"

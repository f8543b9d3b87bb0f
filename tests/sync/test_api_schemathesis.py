"""Issue #17, finding 2: property-based requests from the API's own OpenAPI schema (served to
admins at /api/v1/openapi.json) to a real `fieldapp-server serve` over loopback, and no
answer is a 5xx. Schemathesis generates the cases: for each operation a few valid and a few
invalid ones (out-of-range integers, wrong types), about 270 in all, derandomized, so a run
is the same each time and takes seconds. Driven from Hypothesis directly, operation by
operation: schemathesis's own pytest fixture loader does not run under pytest 9."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import schemathesis
from hardening_support import Live, live_server
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.generation.case import Case
from schemathesis.schemas import APIOperation

pytestmark = pytest.mark.server_storage

CASES = 8
"""Per operation and generation mode (valid, invalid)."""


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, shared_database: str | None) -> Iterator[Live]:
    with live_server(tmp_path_factory.mktemp("schemathesis")) as server:
        yield server


def test_the_schema_is_for_admins_only(live: Live) -> None:
    path = f"{live.url}/api/v1/openapi.json"
    assert httpx.get(path).status_code == 401
    assert httpx.get(path, headers=live.auth("sue")).status_code == 403
    assert "/api/v1/review/queue" in httpx.get(path, headers=live.auth("ada")).json()["paths"]


def _cases(live: Live, operation: APIOperation, mode: GenerationMode) -> list[Case]:
    """What Hypothesis draws for `operation`; the app-user paths get a real token and project
    so that the cases reach the routes rather than all stop at 401."""
    path = {"token": live.tokens["amina"], "project": "1"} if "{token}" in operation.path else None
    drawn: list[Case] = []

    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path))
    @settings(
        max_examples=CASES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def draw(case: Case) -> None:
        drawn.append(case)

    draw()
    return drawn


def test_no_request_makes_a_server_error(live: Live) -> None:
    schema = schemathesis.openapi.from_url(
        f"{live.url}/api/v1/openapi.json", headers=live.auth("ada")
    )
    operations = [result.ok() for result in schema.get_all_operations()]
    sent = 0
    errors: list[str] = []
    for operation in operations:
        # Invalid cases need a query or a body to spoil (a path's strings cannot be).
        invalid = [GenerationMode.NEGATIVE] if len(operation.query) or len(operation.body) else []
        for mode in [GenerationMode.POSITIVE, *invalid]:
            for case in _cases(live, operation, mode):
                sent += 1
                try:
                    case.call_and_validate(
                        base_url=live.url,
                        headers=live.auth("ada"),
                        checks=[not_a_server_error],
                        timeout=30,
                    )
                except AssertionError as error:  # schemathesis's failures are assertions
                    errors.append(f"{case.method} {case.formatted_path}: {error}"[:400])
    assert len(operations) >= 25 and sent >= 200, (len(operations), sent)
    assert errors == []

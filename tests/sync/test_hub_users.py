"""A district hub checks devices against its district's users, as the central server has them
(#15 item 4): the same token works at the office and at HQ, revocations reach the hub at its
next refresh, and a token the hub has not heard of is refused saying which district the hub serves."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hub_support import start_hub
from server_support import Server, make_server

from sync.client import AuthError, ConnectionFailed
from sync.protocol import HubUser
from sync.server.api.auth import add_user, hash_token
from sync.server.errors import BadRequest
from sync.server.hub.users import HubUsersRefresh
from sync.server.storage import User

pytestmark = pytest.mark.server_storage


def _pull(client: TestClient, token: str) -> tuple[int, str]:
    response = client.get("/api/v1/pull", headers={"Authorization": f"Bearer {token}"})
    return response.status_code, response.json().get("detail", "")


def _enumerators_of(central: Server, district: str | None) -> list[str]:
    """The enumerators `make_server` made, of `district` (all with None)."""
    users = [central.storage.user(name) for name in central.tokens]
    return sorted(
        u.name
        for u in users
        if u is not None and u.role == "enumerator" and district in (None, u.district)
    )


def test_a_token_made_upstream_works_at_the_hub_after_a_refresh_until_revoked(
    tmp_path: Path,
    other_database: str | None,
) -> None:
    central = make_server(tmp_path / "central")
    hub = start_hub(tmp_path / "hub", central, database=other_database)
    amina = central.tokens["amina"]
    status, detail = _pull(hub.client, amina)
    assert status == 401 and "has not yet received its users" in detail

    assert hub.forwarder.users.refresh() == len(_enumerators_of(central, "north"))
    assert _pull(hub.client, amina)[0] == 200
    status, detail = _pull(hub.client, central.tokens["kofi"])  # south: not this hub's
    assert status == 401 and "this hub serves district north only" in detail
    assert "out of date" not in detail

    zara = add_user(central.storage, "zara", "enumerator", "north")  # added at HQ today
    status, detail = _pull(hub.client, zara)
    assert status == 401 and "after the hub's next refresh" in detail
    hub.forwarder.users.refresh()
    assert _pull(hub.client, zara)[0] == 200

    assert central.storage.revoke("amina")
    assert _pull(hub.client, amina)[0] == 200  # the hub has not heard yet
    hub.forwarder.users.refresh()
    assert _pull(hub.client, amina)[0] == 401
    assert _pull(central.client, amina)[0] == 401


def test_the_users_endpoint_gives_a_hub_its_districts_enumerators_as_hashes(
    tmp_path: Path,
) -> None:
    central = make_server(tmp_path / "central")
    central.tokens["ada"] = add_user(central.storage, "ada", "admin", None)
    central.storage.revoke("amina")

    def users(who: str) -> list[dict[str, object]]:
        response = central.client.get("/api/v1/hub/users", headers=central.auth(who))
        assert response.status_code == 200, response.text
        assert all(token not in response.text for token in central.tokens.values())
        listed: list[dict[str, object]] = response.json()["users"]
        return listed

    north = users("hub")
    assert [u["name"] for u in north] == _enumerators_of(central, "north")
    assert north[0] == {
        "name": "amina",
        "role": "enumerator",
        "district": "north",
        "token_sha256": hash_token(central.tokens["amina"]),
        "revoked": True,
    }
    assert [u["name"] for u in users("ada")] == _enumerators_of(central, None)
    for who in ("amina", "kofi", "sue"):
        refused = central.client.get("/api/v1/hub/users", headers=central.auth(who))
        assert refused.status_code in (401, 403)
    central.storage.add_user(User("nowhere", "coordinator", None), hash_token("t-nowhere"))
    refused = central.client.get("/api/v1/hub/users", headers={"Authorization": "Bearer t-nowhere"})
    assert refused.status_code == 403 and "has no district" in refused.json()["detail"]


def test_a_coordinator_is_made_with_its_district(tmp_path: Path) -> None:
    central = make_server(tmp_path / "central")
    with pytest.raises(BadRequest, match="a coordinator needs --district"):
        add_user(central.storage, "lost", "coordinator", None)


class Uplink:
    """The upstream's users as `hub_users` answers, or the failure it raises."""

    def __init__(self, failure: Exception | None) -> None:
        self.failure, self.calls = failure, 0
        self.users = [HubUser(name="ama", role="enumerator", district="north",
                              token_sha256=hash_token("t-ama"), revoked=False)]  # fmt: skip

    def __call__(self) -> list[HubUser]:
        self.calls += 1
        if self.failure is not None:
            raise self.failure
        return self.users


@pytest.mark.parametrize(
    ("failure", "said"),
    [
        (ConnectionFailed("Could not reach the server"), "it cannot reach http://central.example"),
        (AuthError("refused", 401, "unknown or revoked token"), "--role coordinator --district"),
    ],
)
def test_a_hub_without_users_says_what_to_do_once_and_keeps_trying(
    tmp_path: Path,
    other_database: str | None,
    caplog: pytest.LogCaptureFixture,
    failure: Exception,
    said: str,
) -> None:
    central = make_server(tmp_path / "central")
    hub = start_hub(tmp_path / "hub", central, database=other_database)
    moment = [0.0]
    uplink = Uplink(failure)
    users = HubUsersRefresh(hub.storage, uplink, "http://central.example", 60.0, lambda: moment[0])
    with caplog.at_level(logging.WARNING, "fieldapp.relay"):
        for _ in range(3):
            users.when_due()
    assert uplink.calls == 3  # no list yet: asked again every round
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1 and said in lines[0]
    assert lines[0].startswith("no tablet can sync to this hub yet")
    assert _pull(hub.client, "t-ama")[0] == 401

    uplink.failure = None
    users.when_due()
    assert _pull(hub.client, "t-ama")[0] == 200
    users.when_due()
    assert uplink.calls == 4  # refreshed, then not again within `every` seconds
    moment[0] = 60.0
    users.when_due()
    assert uplink.calls == 5

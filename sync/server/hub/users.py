"""A district hub's users: its district's enumerators, as the central server knows them.

The hub checks device tokens against this list (token hashes only), kept in its own database
so it works offline and across restarts. It is refreshed at the relay's first round and then
every `every` seconds: a user added upstream works at the hub after the next refresh, a user
revoked upstream is refused after it. A hub that has no list and cannot get one says so, once,
in one line saying what to check, and keeps trying.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from sync.client import AuthError, ConnectionFailed, SyncClient
from sync.protocol import API_PREFIX, HubUser, HubUsers
from sync.server.hub.trust import USERS_AT_KEY, USERS_EVERY
from sync.server.intake.ingest import now
from sync.server.storage import Storage, User

log = logging.getLogger("fieldapp.relay")


class UpstreamClient(SyncClient):
    """The hub's client of the central server: a device's client that also reads users."""

    def hub_users(self) -> list[HubUser]:
        return self._http.json("GET", f"{API_PREFIX}/hub/users", HubUsers).users


class HubUsersRefresh:
    """Keeps the hub's users those `fetch` returns, at most every `every` seconds."""

    def __init__(
        self,
        storage: Storage,
        fetch: Callable[[], list[HubUser]],
        upstream: str,
        every: float = USERS_EVERY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.storage, self.fetch, self.upstream, self.every = storage, fetch, upstream, every
        self.clock = clock
        self._last: float | None = None
        self._said: str | None = None

    def refresh(self) -> int:
        """Replace the hub's users with the upstream's now; how many it has (a SyncError if
        the upstream cannot be asked)."""
        users = self.fetch()
        self.storage.replace_users(
            [(User(u.name, u.role, u.district, u.revoked), u.token_sha256) for u in users]
        )
        self.storage.set_setting(USERS_AT_KEY, now())
        self._last = self.clock()
        return len(users)

    def when_due(self) -> None:
        """Refresh if the last refresh is `every` seconds old (or there was none); a failure
        is told, once until things change, and tried again at the next round."""
        if self._last is not None and self.clock() - self._last < self.every:
            return
        try:
            count = self.refresh()
        except Exception as error:  # uplink down, upstream refusing: said, tried next round
            self._tell(self._failure(error))
            return
        self._tell(f"hub users: {count} from {self.upstream}, refreshed", logging.INFO)

    def _failure(self, error: Exception) -> str:
        reason = for_coordinator(error, self.upstream)
        if self.storage.get_setting(USERS_AT_KEY) is None:
            return f"no tablet can sync to this hub yet: it has no user list, as {reason}; retrying"
        return (
            f"the hub's users were not refreshed, as {reason}; tablets are checked against"
            " the list it has"
        )

    def _tell(self, message: str, level: int = logging.WARNING) -> None:
        if message != self._said:
            log.log(level, message)
            self._said = message


def for_coordinator(error: Exception, upstream: str) -> str:
    """Why the hub could not talk to `upstream`, said to the coordinator running it (the
    client's own text is a tablet's: "scan a new provisioning code")."""
    if isinstance(error, AuthError):
        return (
            f"{upstream} refuses the hub's token (HTTP {error.status}:"
            f" {error.params.get('detail')}); start the relay with the token that"
            " `fieldapp-server users add NAME --role coordinator --district D` printed"
            " on the central server"
        )
    if isinstance(error, ConnectionFailed):
        return (
            f"it cannot reach {upstream} ({error.__cause__ or error}); check this computer's"
            " connection and the --upstream address"
        )
    return str(error)

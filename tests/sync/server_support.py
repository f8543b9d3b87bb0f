"""A server on a temp data directory with users and the demo form, for the server tests;
`serving` runs the real `fieldapp-server serve` in a subprocess on loopback."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi.testclient import TestClient

from sync.server.api.auth import add_user
from sync.server.app import ServerConfig, create_app, open_storage
from sync.server.publish import publish_file
from sync.server.storage import Storage
from tests.waiting import free_port, wait_serving

DEMO_FORM = Path(__file__).resolve().parents[2] / "assets" / "forms" / "demo_household.xml"
CLI = [sys.executable, "-c", "from sync.server.cli import main; raise SystemExit(main())"]
DatabaseCopies = Callable[[str | None], AbstractContextManager[str | None]]
"""`copy_database(url)`: a copy of a server's PostgreSQL database for the block (None on
SQLite, where copying the data folder copies its database)."""


@dataclass
class Server:
    client: TestClient
    storage: Storage
    tokens: dict[str, str]
    data: Path

    def auth(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[user]}"}


def make_server(
    data: Path, *, body_limit: int = 2_000_000, rate: float = 1000.0, database: str | None = None
) -> Server:
    """`database`: a second server's own (see `other_database`); None: the test's."""
    storage, blobs = open_storage(data, database)
    publish_file(storage, blobs, DEMO_FORM, runs=1)
    tokens = {
        "amina": add_user(storage, "amina", "enumerator", "north"),
        "kofi": add_user(storage, "kofi", "enumerator", "south"),
        "sue": add_user(storage, "sue", "supervisor", "north"),
        "sam": add_user(storage, "sam", "supervisor", "south"),
        "hub": add_user(storage, "hub", "coordinator", "north"),
    }
    storage.close()  # the app opens its own
    app = create_app(
        ServerConfig(data, body_limit=body_limit, rate=rate, burst=rate, database=database)
    )
    return Server(TestClient(app), app.state.storage, tokens, data)


def instance_xml(
    instance_id: str, household: str = "AB-0001", deprecated: str | None = None
) -> str:
    old = f"<deprecatedID>{deprecated}</deprecatedID>" if deprecated else ""
    return (
        '<data xmlns:jr="http://openrosa.org/javarosa" id="demo_household" version="2026112601">'
        f"<enumerator>e01</enumerator><household_id>{household}</household_id>"
        "<region>north</region><consent>no</consent>"
        f"<meta><instanceID>{instance_id}</instanceID>{old}"
        f"<instanceName>{household} north</instanceName></meta></data>"
    )


def item(instance_id: str, **kw: str | None) -> dict[str, object]:
    return {
        "instance_id": instance_id,
        "form_id": "demo_household",
        "xml": instance_xml(instance_id, **kw),
    }  # type: ignore[arg-type]


@contextmanager
def server_process(
    data: Path, port: int | None = None, database: str | None = None
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`fieldapp-server serve --data DATA` on loopback (a free port unless given, the test's
    database unless `database` is given); its URL and process once it answers."""
    port = port or free_port()
    chosen = ["--database", database] if database else []
    process = subprocess.Popen(
        [*CLI, "serve", "--data", str(data), *chosen, "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_serving(process, port)
        yield f"http://127.0.0.1:{port}", process
    finally:
        process.terminate()
        process.wait(10)


@contextmanager
def serving(data: Path, port: int | None = None, database: str | None = None) -> Iterator[str]:
    """`server_process`'s URL."""
    with server_process(data, port, database) as (url, _):
        yield url

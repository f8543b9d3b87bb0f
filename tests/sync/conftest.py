"""The server suite on both storage backends.

The rule: a test module that opens the server's storage (in process, through the CLI or a
`serve` subprocess) says so with a module-level marker, and runs once per backend:

    pytestmark = pytest.mark.server_storage      # test_x[sqlite] and test_x[postgres]

On PostgreSQL each test gets a fresh database (a copy of a migrated one) through
`FIELDAPP_DATABASE_URL`, so in-process code and every `fieldapp-server` subprocess it starts
use it. A module-scoped fixture that builds a server for several tests asks for
`shared_database`: the module's database, which the tests using that fixture then share. A
test about SQLite itself (its file, locks or migrations) carries
`pytest.mark.sqlite_only("why")` and runs once; one about several processes on one database
carries `pytest.mark.postgres_only("why")`. A module that holds one of the server's entry
points without a marker is refused at collection, by name, unless its tests ask for
PostgreSQL themselves (`postgres_url`, `postgres_databases`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import export_support
import hardening_support
import hub_support
import pytest
import server_support
from psycopg_pool import ConnectionPool
from server_support import DatabaseCopies

from sync.server import app, cli
from sync.server.storage.postgres import PostgresStorage
from tests.postgres_cluster import DatabaseMaker, PostgresCluster

HERE = Path(__file__).resolve().parent
BACKENDS_CHOSEN = ("server_storage", "sqlite_only", "postgres_only")
"""The markers that say which backends a test runs on (described in tests/conftest.py)."""
DATABASE_VARIABLE = "FIELDAPP_DATABASE_URL"
ENTRY_POINTS: tuple[object, ...] = (
    app.open_storage,
    app.create_app,
    cli.main,
    server_support.make_server,
    server_support.serving,
    server_support.CLI,
    hub_support.start_hub,
    hardening_support.live_server,
    export_support.seed,
    export_support.ExportServer,
)
"""What opens the server's storage; a module holding one must say which backends it runs on."""
UNSHARED = "postgresql://module-fixture-without-shared_database.invalid/see-tests-sync-conftest"
"""What a module-scoped fixture that forgot `shared_database` reaches: an address that cannot
connect and says what is missing. PostgreSQL runs first so that such a fixture is built there
and fails, rather than built on SQLite and then kept, unnoticed, for the [postgres] tests."""


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    marked = metafunc.definition.get_closest_marker
    if marked("sqlite_only"):
        return
    backends = ["postgres"] if marked("postgres_only") else ["postgres", "sqlite"]
    if marked("server_storage") or marked("postgres_only"):
        metafunc.parametrize("server_backend", backends, indirect=True, scope="module")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    tests = [
        item
        for item in items
        if isinstance(item, pytest.Function) and item.module and item.path.is_relative_to(HERE)
    ]
    chooses = {item.module for item in tests if "postgres_server" in item.fixturenames}
    unmarked = {
        item.module.__name__
        for item in tests
        if item.module not in chooses
        and _opens_server_storage(item.module)
        and not any(item.get_closest_marker(name) for name in BACKENDS_CHOSEN)
    }
    if unmarked:
        raise pytest.UsageError(
            f"{', '.join(sorted(unmarked))}: opens the server's storage; add "
            "`pytestmark = pytest.mark.server_storage` (both backends) or "
            '`pytest.mark.sqlite_only("why")` (see tests/sync/conftest.py)'
        )


def _opens_server_storage(module: ModuleType) -> bool:
    held = vars(module).values()
    return any(value is entry for value in held for entry in ENTRY_POINTS)


@pytest.fixture(scope="module")
def server_backend(request: pytest.FixtureRequest) -> str:
    """`sqlite` (the storage in the test's data folder) or `postgres`."""
    backend: str = getattr(request, "param", "sqlite")
    return backend


@pytest.fixture(scope="module", autouse=True)
def _module_database_variable(server_backend: str) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        if server_backend == "postgres":
            patch.setenv(DATABASE_VARIABLE, UNSHARED)
        else:
            patch.delenv(DATABASE_VARIABLE, raising=False)
        yield


@pytest.fixture(scope="session")
def migrated_database(postgres_server: PostgresCluster) -> Iterator[str]:
    """A database with the server's migrations applied, of which each test's is a copy: a copy
    takes about half the time the migrations take on an empty one."""
    with postgres_server.databases() as make:
        url = make()
        PostgresStorage(url).close()
        yield url


def _fresh_database(request: pytest.FixtureRequest, make: DatabaseMaker) -> str:
    return make(copy_of=request.getfixturevalue("migrated_database"))


@pytest.fixture(scope="module")
def shared_database(request: pytest.FixtureRequest, server_backend: str) -> Iterator[str | None]:
    """The module's own database, for a module-scoped fixture's server and the tests that use
    it (None on SQLite, where the fixture's data folder holds it)."""
    if server_backend == "sqlite":
        yield None
        return
    cluster: PostgresCluster = request.getfixturevalue("postgres_server")
    with cluster.databases() as make, pytest.MonkeyPatch.context() as patch:
        url = _fresh_database(request, make)
        patch.setenv(DATABASE_VARIABLE, url)
        pools = _pools_opened(patch)
        yield url
        _close(pools)


@pytest.fixture(autouse=True)
def _test_database(
    request: pytest.FixtureRequest, server_backend: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """On PostgreSQL a fresh database per test, unless the test uses the module's."""
    if server_backend == "sqlite" or "shared_database" in request.fixturenames:
        if server_backend == "postgres":
            monkeypatch.setenv(DATABASE_VARIABLE, request.getfixturevalue("shared_database"))
        yield
        return
    make: DatabaseMaker = request.getfixturevalue("postgres_databases")
    monkeypatch.setenv(DATABASE_VARIABLE, _fresh_database(request, make))
    pools = _pools_opened(monkeypatch)
    yield
    _close(pools)


def _pools_opened(patch: pytest.MonkeyPatch) -> list[ConnectionPool[Any]]:
    """The connection pools opened from now on, to close when their test or module ends as a
    server process's exit would (tests never close a storage they open)."""
    opened: list[ConnectionPool[Any]] = []
    original = ConnectionPool.__init__

    def recording(pool: ConnectionPool[Any], *args: Any, **kwargs: Any) -> None:
        opened.append(pool)
        original(pool, *args, **kwargs)

    patch.setattr(ConnectionPool, "__init__", recording)
    return opened


def _close(pools: list[ConnectionPool[Any]]) -> None:
    for pool in pools:
        pool.close()


@pytest.fixture
def copy_database(request: pytest.FixtureRequest, server_backend: str) -> DatabaseCopies:
    """Copies of a server's database, each dropped when its block ends."""

    @contextmanager
    def copied(url: str | None) -> Iterator[str | None]:
        if server_backend == "sqlite" or url is None:
            yield None
            return
        cluster: PostgresCluster = request.getfixturevalue("postgres_server")
        with cluster.databases() as make:
            yield make(copy_of=url)

    return copied


@pytest.fixture
def other_database(request: pytest.FixtureRequest, server_backend: str) -> str | None:
    """A second server's own database (a hub beside its central server): a fresh one on
    PostgreSQL; None on SQLite, where its own data folder is its database."""
    if server_backend == "sqlite":
        return None
    return _fresh_database(request, request.getfixturevalue("postgres_databases"))

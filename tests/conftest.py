"""Fixtures shared by every test package."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.postgres_cluster import DatabaseMaker, PostgresCluster, PostgresMissing, running_cluster

REAL_XLSFORMS = Path(__file__).resolve().parent / "fixtures" / "xlsforms"
BACKEND_MARKERS = {
    "server_storage": "runs on SQLite and on PostgreSQL (ids [sqlite], [postgres])",
    "sqlite_only": "(reason) about SQLite itself (its file, locks or migrations): SQLite only",
    "postgres_only": "(reason) about several processes on one database: PostgreSQL only",
}
"""The server suite's backend markers (tests/sync/conftest.py), known before any test module
is imported: the end-to-end tests import some of the server's test modules."""


def pytest_configure(config: pytest.Config) -> None:
    for name, text in BACKEND_MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {text}")


@pytest.fixture(scope="session")
def real_xlsforms() -> Path:
    """The folder of real-world XLSForms written by other teams (`tests/fixtures/xlsforms`)."""
    assert REAL_XLSFORMS.is_dir(), f"the real-world XLSForms should be at {REAL_XLSFORMS}"
    return REAL_XLSFORMS


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresCluster]:
    """The session's throwaway PostgreSQL cluster, started when a test first asks for it.

    Missing binaries fail the test with the command that installs them: never a skip."""
    try:
        with running_cluster() as cluster:
            yield cluster
    except PostgresMissing as missing:
        pytest.fail(str(missing), pytrace=False)


@pytest.fixture
def postgres_databases(postgres_server: PostgresCluster) -> Iterator[DatabaseMaker]:
    """Makes fresh empty databases (call it: a URL each), all dropped when the test ends;
    for tests with several servers, such as a hub and its central server."""
    with postgres_server.databases() as make:
        yield make


@pytest.fixture
def postgres_url(postgres_databases: DatabaseMaker) -> str:
    """The URL of a fresh empty database of this test's own."""
    return postgres_databases()


@pytest.fixture
def english_url(postgres_server: PostgresCluster) -> Iterator[str]:
    """A database whose text sorts as English does (ICU, en-US): 'Émile' before 'zed' and
    'b' before 'C', where SQLite's byte order puts them the other way round."""
    name = f"english_{os.getpid()}"
    with psycopg.connect(postgres_server.url(), autocommit=True) as admin:
        admin.execute(
            f"CREATE DATABASE {name} TEMPLATE template0"
            " LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C'"
        )
    try:
        yield postgres_server.url(name)
    finally:
        postgres_server.drop(name)

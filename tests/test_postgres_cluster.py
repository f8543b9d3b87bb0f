"""The tests' throwaway PostgreSQL: a fresh empty database per test, dropped afterwards."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from tests import postgres_cluster
from tests.postgres_cluster import DatabaseMaker, PostgresCluster, running_cluster


def _tables(url: str) -> list[str]:
    with psycopg.connect(url) as connection:
        rows = connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        ).fetchall()
    return [row[0] for row in rows]


def _databases(cluster: PostgresCluster) -> set[str]:
    with psycopg.connect(cluster.url()) as connection:
        rows = connection.execute("SELECT datname FROM pg_database").fetchall()
    return {row[0] for row in rows}


def test_each_database_is_empty_and_its_own(postgres_databases: DatabaseMaker) -> None:
    first, second = postgres_databases(), postgres_databases()
    assert first != second
    with psycopg.connect(first) as connection:
        connection.execute("CREATE TABLE kept (n INTEGER)")
    assert _tables(first) == ["kept"]
    assert _tables(second) == []


def test_databases_are_dropped_when_the_test_ends(postgres_server: PostgresCluster) -> None:
    before = _databases(postgres_server)
    with postgres_server.databases() as make:
        url = make()
        held = psycopg.connect(url)  # a server a test left running still holds one
        assert len(_databases(postgres_server)) == len(before) + 1
    assert _databases(postgres_server) == before
    with pytest.raises(psycopg.OperationalError):
        held.execute("SELECT 1")
    held.close()


def test_the_cluster_listens_on_its_own_port_and_folder(postgres_server: PostgresCluster) -> None:
    with psycopg.connect(postgres_server.url()) as connection:
        row = connection.execute(
            "SELECT current_setting('port'), current_setting('unix_socket_directories'),"
            " current_setting('fsync')"
        ).fetchone()
    assert row == (str(postgres_server.port), str(postgres_server.folder), "off")
    assert postgres_server.port != 5432


def test_a_cluster_is_stopped_and_deleted_even_when_its_session_fails() -> None:
    with pytest.raises(RuntimeError, match="the session failed"):
        with running_cluster() as cluster:
            url = cluster.url()
            raise RuntimeError("the session failed")
    assert not cluster.folder.exists()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url, connect_timeout=5)


def test_missing_binaries_say_how_to_install_them(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(postgres_cluster, "BINARIES", str(tmp_path / "*" / "bin"))
    with pytest.raises(postgres_cluster.PostgresMissing, match="apt-get install postgresql"):
        postgres_cluster.binaries()


def test_a_copy_holds_what_its_template_held(postgres_databases: DatabaseMaker) -> None:
    template = postgres_databases()
    with psycopg.connect(template) as connection:
        connection.execute("CREATE TABLE kept (n INTEGER)")
        connection.execute("INSERT INTO kept VALUES (7)")
    copy = postgres_databases(copy_of=template)
    with psycopg.connect(copy) as connection:
        connection.execute("INSERT INTO kept VALUES (8)")
        assert connection.execute("SELECT n FROM kept ORDER BY n").fetchall() == [(7,), (8,)]
    assert _tables(template) == ["kept"] and copy != template

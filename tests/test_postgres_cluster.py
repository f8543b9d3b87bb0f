"""The tests' throwaway PostgreSQL: a fresh empty database per test, dropped afterwards."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import psycopg
import pytest

from tests import postgres_cluster
from tests.postgres_cluster import DatabaseMaker, PostgresCluster, running_cluster
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[1]
STARTER = """
import json, sys
from tests.postgres_cluster import running_cluster

with running_cluster() as cluster:
    postmaster = (cluster.data / "postmaster.pid").read_text().split()[0]
    print(json.dumps({
        "folder": str(cluster.folder),
        "url": cluster.url(),
        "postmaster": int(postmaster),
        "watchdog": cluster.watchdog.pid,
    }), flush=True)
    sys.stdin.read()
"""
"""A process that starts a cluster, says where it is, and holds it until its stdin ends."""


def _tables(url: str) -> list[str]:
    with psycopg.connect(url) as connection:
        rows = connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        ).fetchall()
    return [row[0] for row in rows]


def _running(pid: int) -> bool:
    """Whether process `pid` exists and is no zombie: whoever adopts an orphan (the container's
    first process) may be slow to reap it, or never do."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


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


def test_a_cluster_and_its_watchdog_end_even_when_its_session_fails() -> None:
    with pytest.raises(RuntimeError, match="the session failed"):
        with running_cluster() as cluster:
            url = cluster.url()
            raise RuntimeError("the session failed")
    assert not cluster.folder.exists()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url, connect_timeout=5)
    assert cluster.watchdog is not None and cluster.watchdog.returncode == 0
    assert not _running(cluster.watchdog.pid)


class Started(NamedTuple):
    """What STARTER printed about its cluster."""

    folder: Path
    url: str
    postmaster: int
    watchdog: int


def test_killing_the_starters_process_group_stops_and_deletes_its_cluster() -> None:
    starter = subprocess.Popen(
        [sys.executable, "-c", STARTER],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert starter.stdout is not None and starter.stderr is not None
    with starter:
        line = starter.stdout.readline()
        assert line, f"the starter did not start a cluster:\n{starter.stderr.read()}"
        fields = json.loads(line)
        started = Started(Path(fields.pop("folder")), **fields)
        try:
            assert _running(started.postmaster) and _running(started.watchdog)
            os.killpg(starter.pid, signal.SIGKILL)  # as a CI timeout kills a whole job
            assert starter.wait() == -signal.SIGKILL
            wait_until(
                lambda: not _running(started.postmaster),
                f"the postmaster (pid {started.postmaster}) to end after its starter's SIGKILL",
            )
            wait_until(
                lambda: not started.folder.exists(),
                f"{started.folder} to be deleted after its starter's SIGKILL",
            )
            wait_until(lambda: not _running(started.watchdog), "the watchdog to end")
            with pytest.raises(psycopg.OperationalError):
                psycopg.connect(started.url, connect_timeout=5)
        finally:
            _clear_away(started)


def _clear_away(started: Started) -> None:
    """Whatever a failed test left: the postmaster killed, the folder deleted."""
    if _running(started.postmaster):
        os.kill(started.postmaster, signal.SIGKILL)
    shutil.rmtree(started.folder, ignore_errors=True)


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

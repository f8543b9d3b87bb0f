"""A throwaway PostgreSQL cluster for the tests: created in a temporary folder when a test
first asks for it, stopped and deleted when the session ends (also when it fails).

It listens on a free TCP port of 127.0.0.1 and on a Unix socket inside its own folder, so a
system cluster (Debian's service on 5432) neither serves nor disturbs the tests.

The cluster never outlives the process that started it, even one killed with SIGKILL (a CI
timeout, the OOM killer), where no `finally` runs: `start()` first starts a watchdog
(`tests/postgres_watchdog.py`) that waits for this process to end and then stops the cluster
(`pg_ctl stop -m immediate`) and deletes its folder. The watchdog runs in a session of its own,
so the signal a CI timeout sends to pytest's process group does not reach it, and holds none of
pytest's output open, so nothing waits for it. `stop()` does the same work itself, then closes
the watchdog's stdin and waits for it: finding the folder gone, it ends without doing anything.
A cluster killed while `pg_ctl start` runs may get its postmaster after the watchdog's stop;
that postmaster shuts itself down within a minute, when it finds its lock file deleted.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

from tests.waiting import free_port, wait_until

BINARIES = "/usr/lib/postgresql/*/bin"
WATCHDOG = Path(__file__).with_name("postgres_watchdog.py")
WATCHDOG_EXIT_S = 60.0
"""How long `stop()` waits for the watchdog to end: a hang guard, it ends at once."""
SUPERUSER = "postgres"
MAX_CONNECTIONS = 600
"""Every server the tests start keeps a connection pool; a test with a hub, a central server
and `--workers` holds dozens of connections at once."""

STARTING_UP = "the database system is starting up"
"""What the server says to a connection that comes too early: not a failure to start."""

SPEED_SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")
"""Durability traded for speed: the tests kill server processes, never the machine that runs
the database, and a cluster that lives for one session never has to survive a power cut."""


class PostgresMissing(RuntimeError):
    """PostgreSQL's server binaries are not installed."""


def binaries() -> Path:
    """The `bin` folder of the newest PostgreSQL installed the Debian way."""
    found = [Path(p).parent for p in glob.glob(f"{BINARIES}/initdb")]
    if not found:
        raise PostgresMissing(
            f"the PostgreSQL tests need initdb in {BINARIES} and none is installed: "
            "run `make pytest` (it installs Debian's postgresql package) "
            "or `apt-get install postgresql`"
        )
    return max(found, key=lambda folder: int(folder.parent.name.split(".")[0]))


def _as_owner() -> list[str]:
    """The prefix that runs a PostgreSQL command as the cluster's owner: PostgreSQL refuses to
    run as root, so under root it runs as the `postgres` user that Debian's package creates."""
    if os.geteuid() != 0:
        return []
    if shutil.which("runuser") is None:
        raise PostgresMissing("running as root, the PostgreSQL tests need runuser (util-linux)")
    try:
        pwd.getpwnam(SUPERUSER)
    except KeyError as missing:
        raise PostgresMissing(
            f"running as root, the PostgreSQL tests need a system user {SUPERUSER!r} "
            "(Debian's postgresql package creates it)"
        ) from missing
    return ["runuser", "-u", SUPERUSER, "--"]


class PostgresCluster:
    """One running cluster; `url(name)` addresses a database on it, `database()` makes one."""

    def __init__(self, settings: Sequence[str] = SPEED_SETTINGS) -> None:
        self.settings = tuple(settings)
        """`-c` settings given to the server (the benchmarks keep PostgreSQL's durability)."""
        self.bin = binaries()
        self.owner = _as_owner()
        self.folder = Path(tempfile.mkdtemp(prefix="fieldapp-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self.port = free_port()
        self._names = itertools.count(1)
        self._started = False
        self.watchdog: subprocess.Popen[bytes] | None = None
        """The process that stops the cluster if this one dies first (module docstring)."""

    def url(self, database: str = SUPERUSER) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def _command(self, *command: str) -> list[str]:
        return [*self.owner, str(self.bin / command[0]), *command[1:]]

    def _stopping(self) -> tuple[str, ...]:
        """Stop at once: nothing here needs to survive."""
        return ("pg_ctl", "stop", "-m", "immediate", "-D", str(self.data))

    def _run(self, *command: str) -> None:
        result = subprocess.run(
            self._command(*command),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"{command[0]} failed ({result.returncode}): {result.stderr.strip()}\n"
                f"server log {self.log}:\n{self._log_tail()}"
            )

    def _log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else "(none)"

    def start(self) -> None:
        self.watchdog = subprocess.Popen(
            [
                sys.executable,
                "-I",
                str(WATCHDOG),
                str(os.getpid()),
                str(self.folder),
                "--",
                *self._command(*self._stopping()),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        if self.owner:
            shutil.chown(self.folder, user=SUPERUSER)
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            SUPERUSER,
            "-E",
            "UTF8",
            "--locale=C",
        )
        options = " ".join(
            [
                f"-p {self.port}",
                "-c listen_addresses=127.0.0.1",
                f"-c unix_socket_directories={self.folder}",
                f"-c max_connections={MAX_CONNECTIONS}",
                *(f"-c {setting}" for setting in self.settings),
            ]
        )
        self._run("pg_ctl", "start", "-W", "-D", str(self.data), "-l", str(self.log), "-o", options)
        self._started = True
        wait_until(self._accepting, f"the test PostgreSQL on port {self.port} (log {self.log})")

    def _accepting(self) -> bool:
        try:
            psycopg.connect(self.url(), connect_timeout=2).close()
        except psycopg.OperationalError:
            fatal = [line for line in self._log_tail().splitlines() if "FATAL" in line]
            if [line for line in fatal if STARTING_UP not in line]:
                raise AssertionError(
                    f"the test PostgreSQL did not start:\n{self._log_tail()}"
                ) from None
            return False
        return True

    def stop(self) -> None:
        """Stop the cluster, delete its folder and end its watchdog."""
        try:
            if self._started:
                self._run(*self._stopping())
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
            self._end_watchdog()

    def _end_watchdog(self) -> None:
        if self.watchdog is None:
            return
        assert self.watchdog.stdin is not None
        self.watchdog.stdin.close()
        try:
            self.watchdog.wait(WATCHDOG_EXIT_S)
        except subprocess.TimeoutExpired:
            self.watchdog.kill()
            self.watchdog.wait()
            raise AssertionError(
                f"the watchdog of the test PostgreSQL (pid {self.watchdog.pid}) did not end"
                f" within {WATCHDOG_EXIT_S:.0f} s of its stdin's closing"
            ) from None

    def create(self, template: str = "template0") -> str:
        """A new database, empty or a copy of `template` (which nothing may be connected
        to); its name."""
        name = f"test_{os.getpid()}_{next(self._names)}"
        with psycopg.connect(self.url(), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return name

    def drop(self, name: str) -> None:
        """Drop `name`, ending the connections that a test's servers still hold on it."""
        with psycopg.connect(self.url(), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    @contextmanager
    def databases(self) -> Iterator[DatabaseMaker]:
        """A maker of fresh databases, all dropped when the block ends."""
        maker = DatabaseMaker(self)
        try:
            yield maker
        finally:
            for name in maker.names:
                self.drop(name)


class DatabaseMaker:
    """Calling it makes a fresh empty database and returns its URL."""

    def __init__(self, cluster: PostgresCluster) -> None:
        self.cluster = cluster
        self.names: list[str] = []

    def __call__(self, copy_of: str | None = None) -> str:
        """A fresh database's URL: empty, or a copy of the database at URL `copy_of`."""
        template = urlsplit(copy_of).path.lstrip("/") if copy_of else "template0"
        name = self.cluster.create(template)
        self.names.append(name)
        return self.cluster.url(name)


@contextmanager
def running_cluster(settings: Sequence[str] = SPEED_SETTINGS) -> Iterator[PostgresCluster]:
    """A started cluster, stopped and deleted when the block ends, however it ends."""
    cluster = PostgresCluster(settings)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()

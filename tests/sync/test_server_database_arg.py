"""Issue #18 item 3: every data command of `fieldapp-server` takes `--database URL` (or
FIELDAPP_DATABASE_URL), SQLite in --data without it; a database that cannot be used is one
line naming --database, without its password, exit code 2, and nothing is written."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from server_support import CLI

from sync.server.app import open_storage
from sync.server.cli import main
from sync.server.storage.open import DATABASE_ENV
from tests.waiting import free_port

SECRET = "s3cret-pw"


def _users(data: Path, database: str) -> set[str]:
    """Which of the users the tests add the storage `database` chooses holds."""
    storage, _ = open_storage(data, database)
    try:
        return {name for name in ("ama", "kofi") if storage.user(name) is not None}
    finally:
        storage.close()


def _refused(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    """The one line of a command refused for its database (exit code 2)."""
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert SECRET not in err
    return lines[0]


@pytest.mark.parametrize(
    ("database", "said"),
    [
        (f"mysql://amina:{SECRET}@db.example.org/survey", "not a database this server can use"),
        ("survey.db", "postgresql://USER@HOST:PORT/NAME"),
        (
            f"postgresql://amina:{SECRET}@127.0.0.1:notaport/survey",
            'invalid integer value "notaport"',
        ),
    ],
)
def test_a_malformed_database_is_named_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], database: str, said: str
) -> None:
    data = tmp_path / "data"
    line = _refused(
        capsys,
        ["users", "add", "ama", "--role", "admin", "--data", str(data), "--database", database],
    )
    assert line.startswith("error: --database")
    assert said in line
    assert not data.exists()


def test_an_unreachable_database_names_its_host_and_port(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()
    url = f"postgresql://amina:{SECRET}@127.0.0.1:{port}/survey"
    for argv in (
        ["forms", "publish", str(tmp_path / "f.xml")],
        ["export", "survey", "csv", "-o", str(tmp_path / "s.csv")],
        ["quality", "show"],
    ):
        line = _refused(capsys, [*argv, "--data", str(tmp_path / "data"), "--database", url])
        assert f"postgresql://amina@127.0.0.1:{port}/survey" in line
        assert "Connection refused" in line
    assert not (tmp_path / "data").exists()
    assert not (tmp_path / "s.csv").exists()


def test_the_environment_variable_is_used_and_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DATABASE_ENV, f"postgresql://amina:{SECRET}@127.0.0.1:{free_port()}/x")
    line = _refused(capsys, ["quality", "show", "--data", str(tmp_path)])
    assert line.startswith(f"error: --database (from {DATABASE_ENV}): cannot open the database")


def test_database_wins_over_the_environment_variable(
    tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    monkeypatch.setenv(DATABASE_ENV, f"postgresql://amina:{SECRET}@127.0.0.1:{free_port()}/x")
    add = ["users", "add", "--role", "admin", "--data", str(data), "--database"]
    assert main([*add, postgres_url, "ama"]) == 0
    assert not (data / "server.db").exists()

    monkeypatch.setenv(DATABASE_ENV, postgres_url)
    assert main([*add, "sqlite:", "kofi"]) == 0
    assert _users(data, "sqlite:") == {"kofi"}
    assert _users(data, postgres_url) == {"ama"}


def test_without_either_the_data_directory_holds_sqlite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(DATABASE_ENV, raising=False)
    assert main(["users", "add", "ama", "--role", "admin", "--data", str(tmp_path)]) == 0
    assert (tmp_path / "server.db").is_file()
    assert _users(tmp_path, "") == {"ama"}


def test_serve_refuses_an_unreachable_database_and_sqlite_workers(tmp_path: Path) -> None:
    """The real command: one line and exit code 2, never a traceback."""
    url = f"postgresql://amina:{SECRET}@127.0.0.1:{free_port()}/survey"
    for flags, said in (
        (["--database", url], "Connection refused"),
        (["--workers", "2"], "several workers need PostgreSQL: --database"),
    ):
        done = subprocess.run(
            [*CLI, "serve", "--data", str(tmp_path), "--port", str(free_port()), *flags],
            capture_output=True,
            text=True,
            env={k: v for k, v in os.environ.items() if k != DATABASE_ENV},
            timeout=60,
        )
        assert done.returncode == 2, done.stderr
        assert done.stderr.count("\n") == 1 and said in done.stderr, done.stderr
        assert SECRET not in done.stderr + done.stdout

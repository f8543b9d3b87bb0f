"""Everything the server keeps goes through the storage package (issue #18, item 1).

No module under sync/ outside `sync/server/storage/` imports `sqlite3`, and none reaches
into an object's connection or lock: an attribute `db`, `conn`, `_conn` or `_lock` read
on anything but `self` (a class's own lock is its own business), or named to `getattr`.
That is what `quality_record.write_side` did (`getattr(storage, "_lock")`, `db.conn`), and
what `exports/source.py` did to find the SQLite file (`getattr(storage, "db")`). A second
backend (PostgreSQL) then only adds an implementation inside the package.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STORAGE = ROOT / "sync" / "server" / "storage"
PRIVATE = {"db", "conn", "_conn", "_lock"}


def offences(source: str, name: str) -> list[str]:
    """Each forbidden import or access of `source` as `name:line: what`."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source, filename=name)):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            modules = [node.module or ""]
        else:
            modules = []
        for module in modules:
            if module == "sqlite3" or module.startswith("sqlite3."):
                found.append(f"{name}:{node.lineno}: imports {module}")
        if isinstance(node, ast.Attribute) and node.attr in PRIVATE:
            owner = node.value
            if not (isinstance(owner, ast.Name) and owner.id in ("self", "cls")):
                found.append(f"{name}:{node.lineno}: reads .{node.attr} of {ast.unparse(owner)}")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "getattr"
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and node.args[1].value in PRIVATE
        ):
            found.append(f"{name}:{node.lineno}: getattr {node.args[1].value!r}")
    return found


@pytest.mark.parametrize(
    ("line", "what"),
    [
        ("import sqlite3", "imports sqlite3"),
        ("from sqlite3 import Connection", "imports sqlite3"),
        ("import os, sqlite3", "imports sqlite3"),
        ("connection: sqlite3.Connection = db.conn", "reads .conn of db"),
        ('db, lock = getattr(storage, "db", None), getattr(storage, "_lock", None)', "'_lock'"),
        ("with storage._lock: pass", "reads ._lock of storage"),
        ("storage.db.execute('PRAGMA database_list')", "reads .db of storage"),
        ("x = app.state.storage._conn", "reads ._conn of app.state.storage"),
    ],
)
def test_the_old_offending_lines_are_named(line: str, what: str) -> None:
    found = offences(line, "sync/server/old.py")
    assert found and all(item.startswith("sync/server/old.py:1: ") for item in found)
    assert any(what in item for item in found)


@pytest.mark.parametrize(
    "line",
    [
        "with self._lock: pass",
        "self.conn = make()",
        "from sync.server.storage import Storage",
        "import sqlite_utils",
        "lock = getattr(thing, 'lock', None)",
        "connection = storage.export_rows.bodies_opener().open()",
    ],
)
def test_own_locks_and_the_storage_interface_are_allowed(line: str) -> None:
    assert offences(line, "ok.py") == []


def test_no_module_outside_the_storage_package_touches_a_database() -> None:
    checked = [
        path for path in sorted((ROOT / "sync").rglob("*.py")) if STORAGE not in path.parents
    ]
    assert len(checked) > 50  # the walk found the server's modules
    found = [
        item
        for path in checked
        for item in offences(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    ]
    assert found == []


def test_the_storage_package_is_where_sqlite_lives() -> None:
    """The rule is not vacuous: the SQLite backend itself imports sqlite3."""
    inside = sorted(STORAGE.rglob("*.py"))
    assert any(
        "imports sqlite3" in item
        for path in inside
        for item in offences(path.read_text(encoding="utf-8"), path.name)
    )


def test_the_storage_package_depends_on_nothing_of_the_server_above_it() -> None:
    """Repositories keep and read plain data; what to compute stays in the modules above
    (quality, review, exports, report), so a second backend reimplements storage only. The
    one module below it is the server's domain errors (`sync.server.errors`), which the blob
    store raises for a name that could leave its folder."""
    above: list[str] = []
    for path in sorted(STORAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                ("sync", "forms", "fieldapp")
            ):
                if not (node.module or "").startswith(
                    ("sync.server.storage", "sync.server.errors")
                ):
                    above.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.module}")
    assert above == []

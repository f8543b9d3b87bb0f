"""The packages depend one way: fieldapp -> forms, sync; sync -> forms; forms -> nothing of ours."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ALLOWED = {
    "forms": {"forms"},
    "sync": {"sync", "forms"},
    "fieldapp": {"fieldapp", "forms", "sync"},
}
OURS = set(ALLOWED)


def _imported(path: Path) -> set[str]:
    """The top-level names of every module `path` imports (absolute imports)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def _imports(path: Path) -> set[str]:
    return _imported(path) & OURS


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_only_what_it_may(package: str) -> None:
    wrong = {
        str(path.relative_to(ROOT)): sorted(_imports(path) - ALLOWED[package])
        for path in (ROOT / package).rglob("*.py")
        if _imports(path) - ALLOWED[package]
    }
    assert wrong == {}


def test_sync_server_never_imports_the_app() -> None:
    for path in (ROOT / "sync").rglob("*.py"):
        assert "fieldapp" not in _imports(path), path


def test_forms_has_no_ui_http_or_sqlite() -> None:
    banned = {"flet", "httpx", "fastapi", "sqlite3", "sqlite_utils", "uvicorn"}
    for path in (ROOT / "forms").rglob("*.py"):
        assert not _imported(path) & banned, f"{path}: {_imported(path) & banned}"

"""Every third-party package our code imports is declared, where the code that imports it runs.

The tablet installs `[project].dependencies` only, the server adds the `server` extra, and the
benchmarks and tests run with `dev`. A package that is merely pulled in by another one (as
starlette comes with fastapi) can vanish with that one's next release, so it is declared too.
Every requirement is bounded, and constraints.txt pins a version each requirement admits.
"""

from __future__ import annotations

import ast
import sys
import tomllib
from collections.abc import Iterable, Mapping
from importlib.metadata import packages_distributions
from pathlib import Path
from typing import Any

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PROJECT = "fieldapp"
# Folder or file -> the extras its modules may import from (besides the base dependencies).
# The most specific entry wins.
AREAS: dict[str, tuple[str, ...]] = {
    "forms": (),
    "forms/xlsform.py": ("authoring",),
    "forms/library/build.py": ("authoring",),
    "fieldapp": (),
    "sync": (),
    "sync/server": ("server",),
    "benchmarks": ("dev",),
    "tests": ("dev",),
}


def top_level_imports(path: Path) -> set[str]:
    """The first part of every absolute import in `path` (relative ones are ours)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name.partition(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.partition(".")[0])
    return found


def _project(root: Path) -> dict[str, Any]:
    with (root / "pyproject.toml").open("rb") as file:
        project: dict[str, Any] = tomllib.load(file)["project"]
    return project


def _requirements(project: Mapping[str, Any], extra: str | None) -> list[Requirement]:
    lines = project["dependencies"] if extra is None else project["optional-dependencies"][extra]
    return [Requirement(line) for line in lines]


def declared(project: Mapping[str, Any], extras: Iterable[str]) -> set[str]:
    """Distribution names the base dependencies and `extras` (with the extras they name) declare."""
    names: set[str] = set()
    todo: list[str | None] = [None, *extras]
    seen: set[str | None] = set()
    while todo:
        extra = todo.pop()
        if extra in seen:
            continue
        seen.add(extra)
        for requirement in _requirements(project, extra):
            if canonicalize_name(requirement.name) == PROJECT:
                todo.extend(requirement.extras)
            else:
                names.add(canonicalize_name(requirement.name))
    return names


def _area(relative: Path) -> tuple[str, ...]:
    matches = [
        key for key in AREAS if relative.as_posix() == key or key in map(str, relative.parents)
    ]
    return AREAS[max(matches, key=len)]


def undeclared(root: Path, installed: Mapping[str, list[str]]) -> list[str]:
    """One line per import of a third-party package that the importing module's area lacks."""
    project = _project(root)
    files = sorted(
        path
        for folder in ("forms", "fieldapp", "sync", "benchmarks", "tests")
        for path in (root / folder).rglob("*.py")
    )
    ours = {PROJECT, "forms", "sync", "benchmarks", "tests"} | {path.stem for path in files}
    problems: list[str] = []
    for path in files:
        relative = path.relative_to(root)
        extras = _area(relative)
        allowed = declared(project, extras)
        for name in sorted(top_level_imports(path) - ours - sys.stdlib_module_names):
            distributions = {canonicalize_name(d) for d in installed.get(name, [])}
            where = f"`{extras[0]}` extra" if extras else "[project].dependencies"
            if not distributions:
                problems.append(f"{relative}: imports {name}, which no installed package provides")
            elif not distributions & allowed:
                problems.append(
                    f"{relative}: imports {name} ({', '.join(sorted(distributions))}), "
                    f"which pyproject.toml's {where} does not declare"
                )
    return problems


def test_every_imported_package_is_declared_where_it_is_used() -> None:
    assert undeclared(ROOT, packages_distributions()) == []


def test_an_undeclared_import_is_named_with_its_file(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\ndependencies = ["httpx>=0.28,<1"]\n'
        '[project.optional-dependencies]\nserver = ["fastapi>=0.115,<1"]\n'
        'dev = ["fieldapp[server]", "pytest>=9.2,<10"]\n',
        encoding="utf-8",
    )
    (tmp_path / "sync" / "server").mkdir(parents=True)
    (tmp_path / "sync" / "client.py").write_text("import httpx\nimport fastapi\n")
    (tmp_path / "sync" / "server" / "app.py").write_text("from fastapi import FastAPI\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_app.py").write_text("import pytest\nimport fastapi.testclient\n")
    installed = {"httpx": ["httpx"], "fastapi": ["fastapi"], "pytest": ["pytest"]}

    assert undeclared(tmp_path, installed) == [
        "sync/client.py: imports fastapi (fastapi), which pyproject.toml's "
        "[project].dependencies does not declare"
    ]


def _all_requirements(project: Mapping[str, Any]) -> list[Requirement]:
    extras: list[str | None] = [None, *project["optional-dependencies"]]
    return [
        requirement
        for extra in extras
        for requirement in _requirements(project, extra)
        if canonicalize_name(requirement.name) != PROJECT
    ]


def test_every_requirement_has_a_lower_and_an_upper_bound() -> None:
    unbounded = [
        str(requirement)
        for requirement in _all_requirements(_project(ROOT))
        if not {s.operator for s in requirement.specifier} & {">=", ">", "==", "~="}
        or not {s.operator for s in requirement.specifier} & {"<", "<=", "==", "~="}
    ]
    assert unbounded == []


def test_constraints_pin_a_version_every_requirement_admits() -> None:
    lines = (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
    pins = {
        canonicalize_name(pin.name): next(iter(pin.specifier)).version
        for pin in (Requirement(line) for line in lines if line and not line.startswith("#"))
    }
    stale = [
        f"{requirement}: constraints.txt pins {pins.get(canonicalize_name(requirement.name))}"
        for requirement in _all_requirements(_project(ROOT))
        if canonicalize_name(requirement.name) not in pins
        or not requirement.specifier.contains(pins[canonicalize_name(requirement.name)], True)
    ]
    assert stale == [], "pyproject.toml changed since constraints.txt: run make constraints"

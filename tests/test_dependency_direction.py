"""The packages depend one way, and no module imports itself through others.

Directions: fieldapp -> forms, sync; sync -> forms; forms -> nothing of ours; neither the
app nor the sync client (sync outside sync.server) imports sync.server.

The import graph is read from the source with `ast`: every import counts, at the top of
a module, inside a function (an import moved into a function still runs, and still ties
the two modules together) or under `if TYPE_CHECKING:`. Imports under `TYPE_CHECKING`
count for the directions (a module may not even name a type of a layer above it) but
not for cycles: they never run, so they cannot leave a module half-imported, and they
are how a helper module names the type of the object it is handed (as the session's
helper modules name `FormSession`). The implicit import of a package's `__init__` when
one of its modules is imported is not an edge; importing a name the `__init__` defines is.
"""

from __future__ import annotations

import ast
from collections import deque
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ALLOWED = {
    "forms": {"forms"},
    "sync": {"sync", "forms"},
    "fieldapp": {"fieldapp", "forms", "sync"},
}
OURS = tuple(sorted(ALLOWED))

Graph = dict[str, dict[str, bool]]
"""module -> {module it imports: whether only under TYPE_CHECKING}."""


def modules(root: Path, packages: tuple[str, ...]) -> dict[str, Path]:
    """Every module of `packages` under `root`, by dotted name (a package by its name)."""
    found: dict[str, Path] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _type_checking_only(tree: ast.Module) -> set[int]:
    """The ids of the nodes inside the body of an `if TYPE_CHECKING:` block."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) in (
            "TYPE_CHECKING",
            "typing.TYPE_CHECKING",
        ):
            inside.update(id(child) for part in node.body for child in ast.walk(part))
    return inside


def imported_names(name: str, path: Path) -> dict[str, bool]:
    """The full names `path` (module `name`) imports, each with whether only under
    TYPE_CHECKING; `from p import x` gives `p.x` (a module or a name of `p`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    type_only = _type_checking_only(tree)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: dict[str, bool] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, *([node.module] if node.module else [])])
            names = [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for each in names:
            found[each] = found.get(each, True) and id(node) in type_only
    return found


def import_graph(root: Path, packages: tuple[str, ...]) -> Graph:
    """The modules of `packages` and which of them each imports (the module a name is
    defined in: the longest known prefix of the imported name)."""
    known = modules(root, packages)
    graph: Graph = {}
    for name, path in known.items():
        edges: dict[str, bool] = {}
        for imported, type_only in imported_names(name, path).items():
            target = imported
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                edges[target] = edges.get(target, True) and type_only
        graph[name] = edges
    return graph


def cycles(graph: Graph) -> list[list[str]]:
    """One import cycle (first module repeated last) per strongly connected component of
    the imports that run, i.e. not only under TYPE_CHECKING."""
    runs = {m: sorted(t for t, only in edges.items() if not only) for m, edges in graph.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    components: list[set[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for target in runs[module]:
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = {stack.pop()}
            while module not in component:
                component.add(stack.pop())
            if len(component) > 1:
                components.append(component)

    for module in sorted(runs):
        if module not in index:
            visit(module)
    return sorted(_a_cycle(runs, component) for component in components)


def _a_cycle(runs: dict[str, list[str]], component: set[str]) -> list[str]:
    """The shortest way from the component's first module back to itself."""
    start = min(component)
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        module = queue.popleft()
        for target in runs[module]:
            if target == start:
                path = [module]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [*reversed(path), start]
            if target in component and target not in came_from:
                came_from[target] = module
                queue.append(target)
    raise AssertionError(f"{sorted(component)} is not a cycle")


GRAPH = import_graph(ROOT, OURS)


def _is_server(name: str) -> bool:
    return name == "sync.server" or name.startswith("sync.server.")


@pytest.mark.parametrize("package", OURS)
def test_package_imports_only_what_it_may(package: str) -> None:
    wrong = {
        module: sorted(t for t in targets if t.split(".")[0] not in ALLOWED[package])
        for module, targets in GRAPH.items()
        if module.split(".")[0] == package
    }
    assert {module: targets for module, targets in wrong.items() if targets} == {}


def test_the_app_and_the_sync_client_never_import_the_server() -> None:
    wrong = [
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        if not _is_server(module)
        for target in targets
        if _is_server(target)
    ]
    assert wrong == []


def test_no_module_imports_itself_through_others() -> None:
    found = [" -> ".join(cycle) for cycle in cycles(GRAPH)]
    assert found == [], "import cycles:\n" + "\n".join(found)


def test_forms_has_no_ui_http_or_sqlite() -> None:
    banned = {"flet", "httpx", "fastapi", "sqlite3", "sqlite_utils", "uvicorn"}
    for module, path in modules(ROOT, ("forms",)).items():
        used = {name.split(".")[0] for name in imported_names(module, path)} & banned
        assert not used, f"{path}: {sorted(used)}"


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


def test_an_import_inside_a_function_still_makes_a_cycle(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/ui/__init__.py": "",
            "app/ui/shell.py": "def home():\n    from app.ui import home\n",
            "app/ui/home.py": "from app.ui.shell import Shell\n",
            "app/ui/lists.py": "from . import shell\nfrom .. import ui\n",
        },
    )
    graph = import_graph(tmp_path, ("app",))
    assert graph["app.ui.lists"] == {"app.ui.shell": False, "app.ui": False}
    assert cycles(graph) == [["app.ui.home", "app.ui.shell", "app.ui.home"]]


def test_a_type_checking_import_counts_for_direction_not_for_cycles(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/a.py": "from app import b\n",
            "app/b.py": "import typing\nif typing.TYPE_CHECKING:\n    from app.a import A\n",
            "app/c.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import app.a\n"
            "else:\n    import app.b\nimport app.a\n",
        },
    )
    graph = import_graph(tmp_path, ("app",))
    assert graph["app.b"] == {"app.a": True}
    assert graph["app.c"] == {"app.a": False, "app.b": False}
    assert cycles(graph) == []
    graph["app.b"]["app.a"] = False
    assert cycles(graph) == [["app.a", "app.b", "app.a"]]


SERVER_LAYERS = {
    # What each server package may not import: the HTTP layer and the process's entry
    # points sit on top; the packages of what the server computes sit on storage.
    "supervisor_ui": ("storage", "api", "intake", "hub", "app", "cli"),
    "quality": ("api", "hub", "app", "cli", "supervisor_ui"),
    "review": ("api", "intake", "hub", "app", "cli", "supervisor_ui"),
    "exports": ("api", "intake", "hub", "app", "supervisor_ui"),
    "report": ("api", "intake", "hub", "app", "cli", "supervisor_ui"),
    "hub": ("api", "app", "cli", "supervisor_ui"),
}


@pytest.mark.parametrize("package", sorted(SERVER_LAYERS))
def test_server_packages_import_only_the_layers_below(package: str) -> None:
    """`supervisor_ui` is a client of the API like any other (it shares only constants and
    renderers with `report`, `review` and `quality`); the packages that compute (`quality`,
    `review`, `exports`, `report`) and the hub never reach up to the routes or the app."""
    banned = tuple(f"sync.server.{name}" for name in SERVER_LAYERS[package])
    wrong = [
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        if module.startswith(f"sync.server.{package}.")
        for target in targets
        if any(target == b or target.startswith(b + ".") for b in banned)
    ]
    assert wrong == []

"""The repository stands alone: no tracked file refers to a path outside the checkout.

A user clones the repository into an empty folder and runs `make test`; no folder next to
the checkout (such as `../shared`) exists there. Every tracked text file is checked:
- anywhere: `../shared`, absolute `/work/` paths, absolute home folders;
- Python: paths built from `__file__` (or the working folder) that climb above the root:
  `parents[N]`, `.parent` chains, `".."` joined with `/`, `os.path.join`/`dirname`;
- Makefile, `.ci`, shell and config files: a path that starts with `..`, or `/root/`;
- Markdown: a relative link whose target lies above the root.
Strings that only look like paths (XPath `../age`, `/data/work/x`, `/root/item`) and
relative imports are not paths and pass.
"""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path, PurePosixPath

import pytest

ROOT = Path(__file__).resolve().parents[1]
# This file's samples are outside paths on purpose; the detector tests below cover it.
SELF = PurePosixPath(__file__).relative_to(PurePosixPath(ROOT)).as_posix()

Problem = tuple[int, str]

# No word character, dot, closing bracket or dash before: keeps `/data/work/x` and URLs out.
NOT_PART_OF_A_PATH = r"(?<![\w.)\]}-])"
ANYWHERE = [
    (re.compile(r"\.\.[/\\]shared\b"), "the sibling folder ../shared"),
    (re.compile(NOT_PART_OF_A_PATH + r"/work/"), "an absolute /work/ path"),
    (re.compile(NOT_PART_OF_A_PATH + r"/(?:home|Users)/[\w.-]+/"), "an absolute home folder"),
    (re.compile(r"\b[A-Za-z]:\\{1,2}Users\\"), "an absolute Windows home folder"),
]
SHELL_LIKE = [
    (re.compile(r"(?<![^\s\"'=:(])\.\.(?=[/\\\s\"';)]|$)"), "a path above the checkout (..)"),
    (re.compile(NOT_PART_OF_A_PATH + r"/root/"), "an absolute /root/ path"),
]
SHELL_SUFFIXES = {".sh", ".mk", ".toml", ".cfg", ".ini", ".yml", ".yaml"}
LINE_BREAK = re.compile(r"\r\n?|\n")  # as Python counts lines
MARKDOWN_LINK = re.compile(r"\]\(([^)\s]+)\)")
PATH_CALLS = {"Path", "PurePath", "PosixPath", "PurePosixPath", "abspath", "realpath"}
SAME_PATH_METHODS = {"resolve", "absolute", "expanduser", "normpath"}


def _descend(depth: int, text: str) -> int | None:
    """The depth after walking `text` from `depth`; negative once it passes above the root."""
    if text.startswith(("/", "\\")):
        return None
    lowest = depth
    for part in text.replace("\\", "/").split("/"):
        if part == "..":
            depth -= 1
            lowest = min(lowest, depth)
        elif part not in ("", "."):
            depth += 1
    return depth if lowest >= 0 else lowest


def _join(depth: int | None, parts: list[ast.expr]) -> int | None:
    for part in parts:
        if depth is None or depth < 0:
            return depth
        if isinstance(part, ast.Constant) and isinstance(part.value, str):
            depth = _descend(depth, part.value)
        else:
            depth += 1
    return depth


def _depth(node: ast.expr, names: dict[str, int], file_depth: int) -> int | None:
    """Folders below the root of the path `node` builds (negative: above it), None if no path."""
    if isinstance(node, ast.Name):
        return file_depth if node.id == "__file__" else names.get(node.id)
    if isinstance(node, ast.Attribute) and node.attr == "parent":
        inner = _depth(node.value, names, file_depth)
        return None if inner is None else inner - 1
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute):
        index = node.slice
        if node.value.attr == "parents" and isinstance(index, ast.Constant):
            inner = _depth(node.value.value, names, file_depth)
            if inner is None or not isinstance(index.value, int):
                return None
            return inner - index.value - 1
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        return _join(_depth(node.left, names, file_depth), [node.right])
    if isinstance(node, ast.Call):
        return _call_depth(node, names, file_depth)
    return None


def _call_depth(node: ast.Call, names: dict[str, int], file_depth: int) -> int | None:
    func = node.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
    if isinstance(func, ast.Attribute) and name in SAME_PATH_METHODS | {"joinpath"}:
        receiver = _depth(func.value, names, file_depth)
        if receiver is not None:
            return _join(receiver, node.args) if name == "joinpath" else receiver
    if not node.args:
        return None
    first = node.args[0]
    start = _depth(first, names, file_depth)
    if name in PATH_CALLS | SAME_PATH_METHODS:
        if start is None and isinstance(first, ast.Constant) and isinstance(first.value, str):
            return _descend(0, first.value)  # relative to the working folder: the root
        return start
    if name == "dirname":
        return None if start is None else start - 1
    if name == "join":
        return _join(start, node.args[1:])
    return None


def _python_problems(source: str, rel: str) -> list[Problem]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    file_depth = len(PurePosixPath(rel).parts)
    names: dict[str, int] = {}
    found: list[Problem] = []
    nodes = [n for n in ast.walk(tree) if isinstance(n, ast.expr | ast.Assign)]
    for node in sorted(nodes, key=lambda n: (n.lineno, n.col_offset)):
        if isinstance(node, ast.Assign):
            depth = _depth(node.value, names, file_depth)
            for target in node.targets:
                if isinstance(target, ast.Name) and depth is not None and depth >= 0:
                    names[target.id] = depth
                elif isinstance(target, ast.Name):
                    names.pop(target.id, None)  # reported where it climbs, not at each use
        elif (depth := _depth(node, names, file_depth)) is not None and depth < 0:
            found.append((node.lineno, "a path built from this file climbs above the checkout"))
    return found


def _is_shell_like(rel: str) -> bool:
    path = PurePosixPath(rel)
    return path.name == "Makefile" or path.parts[0] == ".ci" or path.suffix in SHELL_SUFFIXES


def _link_problems(line: str, rel: str) -> list[str]:
    found = []
    for target in MARKDOWN_LINK.findall(line):
        if "://" in target or target.startswith(("#", "/", "mailto:")):
            continue
        depth = _descend(len(PurePosixPath(rel).parts) - 1, target.split("#")[0])
        if depth is not None and depth < 0:
            found.append(f"a link above the checkout ({target})")
    return found


def problems(rel: str, text: str) -> list[Problem]:
    """Each line of `text` (the file `rel` in the repository) that refers outside the checkout."""
    rules = ANYWHERE + (SHELL_LIKE if _is_shell_like(rel) else [])
    lines = LINE_BREAK.split(text)
    found: list[Problem] = []
    for number, line in enumerate(lines, start=1):
        found += [(number, why) for pattern, why in rules if pattern.search(line)]
        if rel.endswith(".md"):
            found += [(number, why) for why in _link_problems(line, rel)]
    if rel.endswith(".py"):
        found += _python_problems(text, rel)
    return sorted({(number, f"{why}: {lines[number - 1].strip()}") for number, why in found})


def tracked_text_files(root: Path) -> dict[str, str]:
    """Every file git tracks under `root` that is text, by its path in the repository."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=root, capture_output=True, check=True
    ).stdout.decode()
    files = {}
    for rel in filter(None, listed.split("\0")):
        path = root / rel
        data = path.read_bytes() if path.is_file() else b"\0"
        if b"\0" in data:
            continue
        try:
            files[rel] = data.decode("utf-8")
        except UnicodeDecodeError:
            continue
    return files


def test_no_tracked_file_refers_to_a_path_outside_the_checkout() -> None:
    files = tracked_text_files(ROOT)
    assert "Makefile" in files and "tests/conftest.py" in files
    found = [
        f"{rel}:{number}: {why}"
        for rel, text in sorted(files.items())
        if rel != SELF
        for number, why in problems(rel, text)
    ]
    assert not found, "copy what is needed into the repository:\n" + "\n".join(found)


# The references the repository had before it stood alone, each as it was written.
OLD_REFERENCES = [
    (
        "tests/conftest.py",
        'SHARED_XLSFORMS = Path(__file__).resolve().parents[1] / ".." / "shared" / "xlsforms"',
    ),
    (
        "tests/conftest.py",
        '    """The folder of real-world XLSForms kept next to the repository (`../shared/xlsforms`)."""',
    ),
    (
        "benchmarks/bench_reading.py",
        'SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "xlsforms"',
    ),
    (
        "tests/forms/test_xlsform_compile.py",
        'SHARED = Path(__file__).resolve().parents[3] / "shared" / "xlsforms"',
    ),
    (
        "forms/library/README.md",
        "Method: LICOP/KIT net household income over 12 months (see `/work/shared/DOMAIN.md`).",
    ),
]
OUTSIDE = [
    ("tests/x.py", 'DATA = os.path.join(os.path.dirname(__file__), "..", "..", "data")'),
    ("tests/x.py", "TOP = Path(__file__).parent.parent.parent"),
    ("tests/x.py", 'FORMS = Path(__file__).resolve().parent.joinpath("../../forms")'),
    ("benchmarks/x.py", 'FORMS = Path("../forms/survey.xlsx")'),
    ("README.md", "Open `/home/alice/forms/survey.xlsx`."),
    ("README.md", r"Open `C:\Users\alice\survey.xlsx`."),
    ("docs/a.md", "See [the design](../../shared/DESIGN.md)."),
    ("Makefile", "\tcp ../forms/*.xlsx tests/"),
    ("Makefile", "FORMS := /root/forms"),
    (".ci/run", "cd ../fieldapp-forms && make"),
]
INSIDE = [
    ("tests/forms/x.py", 's.answer("/data/work/hours", 40)'),
    ("tests/forms/x.py", "assert run(\"count(../../plot[crop = 'cocoa'])\") == 2"),
    ("tests/forms/x.py", 'assert s.relevant("../age >= 16")'),
    ("tests/forms/x.py", 'assert doc.path() == "/root/item"'),
    ("forms/x.py", "NODESET = \"instance('d')/root/item[region = current()/../r]\""),
    ("fieldapp/screens/x.py", "from ..store import Store"),
    ("fieldapp/x.py", 'if name in (".", ".."):'),
    ("tests/fieldapp/x.py", '@pytest.mark.parametrize("filename", ["../escape.jpg", ".."])'),
    ("tests/e2e/x.py", 'ROOT = Path(__file__).resolve().parents[2] / "assets"'),
    ("tests/x.py", "ROOT = Path(__file__).parent.parent"),
    ("fieldapp/cli.py", 'HELP = "default: ~/.local/share/fieldapp, e.g. --data /tmp/tablet"'),
    ("README.md", "See https://example.org/work/forms and [docs](docs/benchmarks.md)."),
    ("docs/a.md", "See [the README](../README.md) and `../age >= 16`."),
    (".ci/run", 'cd "$(dirname "$0")/.."'),
    ("Makefile", "CHROMIUM := /usr/bin/chromium"),
]


@pytest.mark.parametrize(("rel", "line"), OLD_REFERENCES + OUTSIDE)
def test_a_path_outside_the_checkout_is_named_with_its_line(rel: str, line: str) -> None:
    text = "import os\nfrom pathlib import Path\n" + line if rel.endswith(".py") else line
    found = problems(rel, text)
    assert {number for number, _ in found} == {text.count("\n") + 1}
    assert found[0][1].endswith(line.strip())


def test_a_name_for_the_root_climbs_out_through_parent() -> None:
    text = (
        "ROOT = Path(__file__).resolve().parents[2]\n"
        'DEMO = ROOT / "assets"\n'
        'SHARED = ROOT.parent / "shared" / "xlsforms"\n'
    )
    assert [number for number, _ in problems("tests/fieldapp/test_cli.py", text)] == [3]


@pytest.mark.parametrize(("rel", "line"), INSIDE)
def test_what_only_looks_like_a_path_passes(rel: str, line: str) -> None:
    assert problems(rel, line) == []


def test_binary_and_untracked_files_are_left_out(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / "a.md").write_text("see /work/shared\n")
    (tmp_path / "b.png").write_bytes(b"\x89PNG\0/work/")
    (tmp_path / "c.md").write_text("not tracked: /work/\n")
    subprocess.run(["git", "add", "a.md", "b.png"], cwd=tmp_path, check=True)
    assert tracked_text_files(tmp_path) == {"a.md": "see /work/shared\n"}

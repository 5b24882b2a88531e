"""The package layout: stage subpackages whose imports only point down the data flow, at
module level and inside functions alike, and no import circle between any two modules."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conftest import REPO

PKG = REPO / "src" / "energytrend"
#: The stages, from the bottom up: a module may import its own stage and those below.
STAGES = ("data", "model", "inference", "forecast", "studies", "report")


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports(path: Path) -> list[tuple[str, int]]:
    """(module, line) of every import in ``path``, anywhere in the file (functions and
    methods included), except inside ``if TYPE_CHECKING:`` blocks, which never run."""
    found: list[tuple[str, int]] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.module, node.lineno))
            found.extend((f"{node.module}.{a.name}", node.lineno) for a in node.names)
        elif isinstance(node, ast.Import):
            found.extend((a.name, node.lineno) for a in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def graph(root: Path) -> dict[str, set[str]]:
    """Module -> the package's modules it imports (a ``from pkg import name`` of a module
    counts as importing that module)."""
    paths = {module_name(p, root): p for p in sorted(root.rglob("*.py"))}
    out: dict[str, set[str]] = {}
    for name, path in paths.items():
        targets = set()
        for module, _ in imports(path):
            if module in paths and module != name:
                targets.add(module)
        out[name] = targets
    return out


def upward_imports(root: Path) -> list[str]:
    """Every import of a later stage by an earlier one, with file and line."""
    top = root.name
    out = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).parts
        if len(rel) < 2 or rel[0] not in STAGES:
            continue
        mine = STAGES.index(rel[0])
        for module, line in imports(path):
            parts = module.split(".")
            later = len(parts) > 1 and parts[0] == top and parts[1] in STAGES
            if later and STAGES.index(parts[1]) > mine:
                out.append(f"{path.relative_to(root.parent)}:{line} imports {module}")
    return sorted(set(out))


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The import circles: strongly connected components of more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            connect(v)
    return found


def test_no_stage_imports_a_later_one_anywhere() -> None:
    assert upward_imports(PKG) == []


def test_no_import_circle() -> None:
    assert circles(graph(PKG)) == []


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "energytrend"
    for rel, text in {"__init__.py": "", **files}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for stage in STAGES:
        (root / stage).mkdir(exist_ok=True)
        (root / stage / "__init__.py").touch()
    return root


def test_a_planted_function_level_upward_import_is_caught(tmp_path: Path) -> None:
    root = _package(
        tmp_path,
        {
            "inference/result.py": "def plot(r):\n    from energytrend.report.plots import f\n",
            "report/plots.py": "def f(): ...\n",
        },
    )
    assert upward_imports(root) == [
        "energytrend/inference/result.py:2 imports energytrend.report.plots",
        "energytrend/inference/result.py:2 imports energytrend.report.plots.f",
    ]


def test_a_type_checking_import_is_not_an_import(tmp_path: Path) -> None:
    root = _package(
        tmp_path,
        {
            "forecast/trend.py": "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n    from energytrend.report.plots import f\n",
            "report/plots.py": "def f(): ...\n",
        },
    )
    assert upward_imports(root) == []


def test_a_planted_circle_inside_a_stage_is_caught(tmp_path: Path) -> None:
    root = _package(
        tmp_path,
        {
            "model/a.py": "def g():\n    from energytrend.model import b\n",
            "model/b.py": "from energytrend.model.a import g\n",
        },
    )
    assert circles(graph(root)) == [["energytrend.model.a", "energytrend.model.b"]]


@pytest.mark.parametrize("stage", STAGES)
def test_every_stage_is_a_package(stage: str) -> None:
    assert (PKG / stage / "__init__.py").is_file()

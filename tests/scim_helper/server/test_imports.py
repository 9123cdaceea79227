"""The server's modules import one way: every module imports on its own, and no two modules of
``scim_helper.server`` import each other, directly or round a longer loop (issue 13).

The graph counts every import statement, at module level, inside functions and under
``TYPE_CHECKING``: a deferred import hides a cycle from Python, not from a reader.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import scim_helper.server

PACKAGE = "scim_helper.server"
ROOT = Path(scim_helper.server.__file__).parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join((PACKAGE, *parts))


MODULES = {_module_name(path): path for path in sorted(ROOT.rglob("*.py"))}


def _resolve(importer: str, is_package: bool, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = importer.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def import_graph() -> dict[str, set[str]]:
    """Module -> the modules of the package it imports."""
    graph: dict[str, set[str]] = {name: set() for name in MODULES}
    for name, path in MODULES.items():
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                source = _resolve(name, is_package, node)
                # "from . import bulk" names a module; "from .store import Store" a package.
                targets = [
                    f"{source}.{alias.name}" if f"{source}.{alias.name}" in MODULES else source
                    for alias in node.names
                ]
            graph[name].update(t for t in targets if t in MODULES and t != name)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules (first == last), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for root in sorted(graph):
        if root in state:
            continue
        path = [root]
        stack = [iter(sorted(graph[root]))]
        state[root] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            elif nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(sorted(graph[nxt])))
    return None


def test_find_cycle_reports_a_loop_and_passes_a_tree() -> None:
    """The cycle finder itself: it names a three-module loop and accepts a diamond."""
    loop = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(loop) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"d"}, "c": {"d"}, "d": set()}) is None


def test_server_has_no_import_cycle() -> None:
    """No module of the server imports, however indirectly, a module that imports it."""
    graph = import_graph()
    assert graph["scim_helper.server.routes_bulk"] >= {"scim_helper.server.bulk"}
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph) or [])


@pytest.mark.parametrize("name", sorted(set(MODULES) - {f"{PACKAGE}.__main__"}))
def test_every_server_module_imports(name: str) -> None:
    """Each module imports on its own (a broken import fails here, never becomes a skip);
    ``__main__`` runs the server when imported, so the CLI tests cover it."""
    importlib.import_module(name)

"""The package layout of DESIGN.md, checked on the sources: imports point down the layers
(games <- search <- agents <- selfplay <- benchmarks; nothing imports benchmarks), games/ and search/
import neither torch nor ray, and no two modules import each other in a cycle at import time."""
from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("games", "search", "agents", "selfplay", "benchmarks")
"""Bottom to top: a module may import its own layer and the layers before it."""
NO_TORCH_OR_RAY = ("games", "search")


@cache
def modules() -> dict[str, Path]:
    """Every module of the project by dotted name (packages by their ``__init__``)."""
    found: dict[str, Path] = {}
    for layer in LAYERS:
        for path in sorted((ROOT / layer).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST, top_level_only: bool) -> list[tuple[list[str], int]]:
    """(candidate names, line) of every imported thing: ``from a.b import c`` gives ``[a.b.c, a.b]`` (the
    submodule ``c`` if there is one, else the module ``a.b``). With ``top_level_only`` only the imports run
    at import time (module body, outside functions and ``if TYPE_CHECKING``)."""
    found: list[tuple[list[str], int]] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if top_level_only and isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                continue
            if top_level_only and isinstance(child, ast.If) and _type_checking(child):
                continue
            if isinstance(child, ast.Import):
                found.extend(([alias.name], child.lineno) for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                found.extend(([f"{child.module}.{alias.name}", child.module], child.lineno) for alias in child.names)
            visit(child)

    visit(tree)
    return found


@cache
def imports_of(name: str, top_level_only: bool = False) -> tuple[tuple[str, int], ...]:
    """Project modules (and foreign top-level packages) imported by module ``name``, with their lines.
    A module's own parent packages are left out: Python imports them before the module in any case."""
    tree = ast.parse(modules()[name].read_text())
    parents = {name.rsplit(".", k)[0] for k in range(1, name.count(".") + 1)}
    result: list[tuple[str, int]] = []
    for candidates, line in _imports(tree, top_level_only):
        if candidates[0].split(".")[0] not in LAYERS:
            result.append((candidates[0].split(".")[0], line))
            continue
        target = next((c for c in candidates if c in modules()), candidates[-1])
        while target not in modules() and "." in target:  # `import a.b.c` of a missing module: its package
            target = target.rsplit(".", 1)[0]
        if target in modules() and target != name and target not in parents:
            result.append((target, line))
    return tuple(dict.fromkeys(result))


def test_every_layer_is_found() -> None:
    assert {name.split(".")[0] for name in modules()} == set(LAYERS)


def test_imports_point_down_the_layers() -> None:
    wrong = []
    for name, path in modules().items():
        mine = LAYERS.index(name.split(".")[0])
        for target, line in imports_of(name):
            root = target.split(".")[0]
            if root in LAYERS and LAYERS.index(root) > mine:
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {target}")
    assert not wrong, "imports pointing up the layers:\n" + "\n".join(wrong)


@pytest.mark.parametrize("layer", NO_TORCH_OR_RAY)
def test_games_and_search_import_neither_torch_nor_ray(layer: str) -> None:
    wrong = [f"{modules()[name].relative_to(ROOT)}:{line} imports {target}"
             for name in modules() if name.split(".")[0] == layer
             for target, line in imports_of(name) if target in ("torch", "ray")]
    assert not wrong, "\n".join(wrong)


def _cycle(graph: dict[str, list[str]]) -> list[str] | None:
    """One cycle of the directed graph, or None (iterative depth-first search)."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for start in graph:
        if start in state:
            continue
        path, stack = [start], [iter(graph[start])]
        state[start] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            elif nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(graph[nxt]))
    return None


def test_no_import_cycle_between_modules() -> None:
    """Imports run at import time (lazy imports inside functions are how a factory names the classes it
    builds, and do not make modules import each other while loading)."""
    graph = {name: [t for t, _ in imports_of(name, top_level_only=True) if t in modules()] for name in modules()}
    cycle = _cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_cycle_finder_finds_cycles() -> None:
    assert _cycle({"a": ["b"], "b": ["c"], "c": ["a"]}) == ["a", "b", "c", "a"]
    assert _cycle({"a": ["b", "c"], "b": ["c"], "c": []}) is None

"""The tree keeps its shape: imports flow one way (the import-linter contracts of pyproject.toml),
no import of the package's own modules hides inside a function, and pages only lay out the screen.
See docs/architecture.md."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = PROJECT_DIR / "dashboard"
PAGES_DIR = PROJECT_DIR / "pages"
# What a page may import from the product: the app's helpers, the rules' query functions, core
# vocabulary and access checks. Never the store, the loader, the command line, the demo or benchmarks.
PAGE_IMPORTS = ("dashboard.app", "dashboard.rules", "dashboard.core", "dashboard.access")


def _python_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def test_import_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint), "--no-cache"], cwd=PROJECT_DIR, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


# The imports of the package that must wait for a function, both of dashboard.app.ui, whose cached
# functions need Streamlit's runtime cache storage (and warn without it): the server's lifespan
# imports it only once the runtime runs (dashboard/app/lifespan.py says why), and `bench all` only
# to name the pages in its table, after `bench pages` ran them.
DEFERRED_IMPORTS = {"dashboard/app/lifespan.py": {"dashboard.app"}, "dashboard/bench/all.py": {"dashboard.app.ui"}}


def test_no_import_of_the_package_inside_a_function():
    found = []
    for path in _python_files(PACKAGE_DIR):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for fn in ast.walk(tree):
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for node in ast.walk(fn):
                    if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("dashboard")):
                        where = path.relative_to(PROJECT_DIR).as_posix()
                        if node.module not in DEFERRED_IMPORTS.get(where, set()):
                            found.append(f"{where}:{node.lineno}")
    assert found == []


def test_pages_import_only_what_lays_out_a_screen():
    wrong = []
    for path in _python_files(PAGES_DIR):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("dashboard"):
                if not node.module.startswith(PAGE_IMPORTS):
                    wrong.append(f"{path.name}: {node.module}")
    assert wrong == []


def test_no_module_is_left_at_the_package_root():
    """Every module lives in the room of its step of the data flow (docs/architecture.md)."""
    loose = sorted(p.name for p in PACKAGE_DIR.glob("*.py") if p.name not in ("__init__.py", "__main__.py"))
    assert loose == []


def _module_name(path: Path) -> str:
    parts = path.relative_to(PROJECT_DIR).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_no_import_cycles_between_modules():
    modules = {_module_name(p): p for p in _python_files(PACKAGE_DIR)}
    edges: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("dashboard"):
                for alias in node.names:
                    target = f"{node.module}.{alias.name}"
                    edges[name].add(target if target in modules else node.module)
    edges = {m: {t for t in ts if t in modules and t != m} for m, ts in edges.items()}
    # Tarjan's strongly connected components: any component of more than one module is a cycle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
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
                cycles.append(sorted(component))

    for module in sorted(edges):
        if module not in index:
            visit(module)
    assert cycles == []

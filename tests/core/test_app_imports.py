"""The apps' imports keep the architecture's shape (docs/architecture.md, house style "each
rule in one place"): ``core`` knows no domain app, so a domain rule cannot hide in it again,
and no two apps import each other, even lazily inside a function (a cycle is a rule split
between two places). Read from the source with ``ast``: the test sees every import, including
those under ``TYPE_CHECKING`` and inside functions, without importing anything."""

from __future__ import annotations

import ast
from pathlib import Path

import motcua

SRC = Path(motcua.__file__).parent

# No cycle is tolerated: ``notify`` became a generic outbox that no longer points back at
# dossiers (issue 11); nothing may be added here.
KNOWN_CYCLES: set[frozenset[str]] = set()


def app_imports() -> dict[str, dict[str, set[str]]]:
    """{importing app: {imported app: {file, …}}} over ``src/motcua`` (migrations aside: they
    name other apps' models by design). A top-level module (``cli``, ``urls``) is its own
    "app"."""
    graph: dict[str, dict[str, set[str]]] = {}
    for path in SRC.rglob("*.py"):
        parts = path.relative_to(SRC).parts
        if "migrations" in parts:
            continue
        app = parts[0].removesuffix(".py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            elif isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            else:
                continue
            for module in modules:
                names = module.split(".")
                if names[0] == "motcua" and len(names) > 1 and names[1] != app:
                    where = str(path.relative_to(SRC))
                    graph.setdefault(app, {}).setdefault(names[1], set()).add(where)
    return graph


def test_the_import_graph_is_read() -> None:
    """The reader finds imports that are known to be there (else the tests below pass on
    an empty graph)."""
    graph = app_imports()
    assert "core" in graph["dossiers"]
    assert "agencies" in graph["dossiers"]
    # Files are grouped by their app, and an app's imports of itself are left out.
    assert "dossiers" not in graph["dossiers"]
    assert all("/" in file for files in graph["office"].values() for file in files)


def test_core_imports_no_domain_app() -> None:
    """``core`` may name the ``motcua`` command's type (``cli``) and nothing else outside
    itself; the demo loaders are a list of module names, imported by name at run time."""
    imported = app_imports().get("core", {})
    assert set(imported) <= {"cli"}, {app: sorted(files) for app, files in imported.items()}


def test_no_import_cycle_between_apps() -> None:
    graph = app_imports()

    def reachable(start: str) -> set[str]:
        seen: set[str] = set()
        frontier = [start]
        while frontier:
            for nxt in graph.get(frontier.pop(), {}):
                if nxt not in seen:
                    seen.add(nxt)
                    frontier.append(nxt)
        return seen

    cycles = {
        (app, other, min(files))
        for app, targets in graph.items()
        for other, files in targets.items()
        if app in reachable(other) and frozenset({app, other}) not in KNOWN_CYCLES
    }
    assert not cycles, sorted(cycles)

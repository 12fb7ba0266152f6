"""Layers one way: only the entry points (the CLI, the code location) import the definitions or the CLI, so
nothing under orchestration/defs, reporting or sources sits in an import cycle with them."""

import ast
from pathlib import Path

ORCHESTRATION = Path(__file__).resolve().parents[2] / "orchestration"
ENTRY_POINTS = {"orchestration.definitions", "orchestration.cli"}


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
            modules.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
    return modules


def test_only_entry_points_import_the_definitions_or_the_cli():
    importers = {
        path.relative_to(ORCHESTRATION.parent).as_posix(): sorted(imported_modules(path) & ENTRY_POINTS)
        for path in ORCHESTRATION.rglob("*.py")
        if imported_modules(path) & ENTRY_POINTS
    }
    assert importers == {"orchestration/cli.py": ["orchestration.definitions"]}

"""The module graph: layers point down and no module imports itself through others."""

from __future__ import annotations

import ast
from pathlib import Path

import grimp
import pytest


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("service", "connectors")


def test_no_import_cycles(graph: grimp.ImportGraph) -> None:
    """No module of the service or the connectors reaches itself through its imports
    (type-only and function-level imports included): a cycle means a type lives away from the
    module that produces it. (``lint-imports`` checks the same between sibling packages.)"""
    cycles = set()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            chain = graph.find_shortest_chain(importer=imported, imported=module)
            if chain:
                cycles.add(" -> ".join((module, *chain)))
    assert sorted(cycles) == []


def test_the_model_and_the_daemon_do_not_reach_the_cli(graph: grimp.ImportGraph) -> None:
    """Neither building a model nor the daemon imports the command layer, even indirectly."""
    for package in ("service.model", "service.audit", "service.daemon"):
        assert not graph.chain_exists(
            importer=package, imported="service.commands", as_packages=True
        ), package


def test_no_private_name_is_imported_from_another_module() -> None:
    """``from service.x import _name`` couples a module to another's internals: none left."""
    root = Path(__file__).resolve().parents[1]
    found = []
    for path in [*(root / "service").rglob("*.py"), *(root / "connectors").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in (
                "service",
                "connectors",
            ):
                found += [
                    f"{path.relative_to(root)}: {node.module}.{a.name}"
                    for a in node.names
                    if a.name.startswith("_") and not a.name.startswith("__")
                ]
    assert found == []

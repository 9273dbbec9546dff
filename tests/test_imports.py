"""Imports point down and never close a loop (DESIGN.md, Layout).

The contracts live in pyproject.toml and `lint-imports` checks them. Its acyclic contract compares
siblings, so a loop through a package's own __init__ (service.store -> service.store.sql ->
service.store) escapes it: the whole graph's strongly connected components are checked here as well.
Every import counts, those inside functions and under TYPE_CHECKING too.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent


def cycles(*, modules: Iterable[str], imported_by: Callable[[str], Iterable[str]]) -> list[list[str]]:
    """The import graph's strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(modules):
        if root in index:
            continue
        work = [(root, iter(sorted(imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, targets = work[-1]
            target = next(targets, None)
            if target is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while (member := stack.pop()) != node:
                        on_stack.discard(member)
                        component.append(member)
                    on_stack.discard(node)
                    if component:
                        found.append(sorted([node, *component]))
            elif target not in index:
                index[target] = low[target] = len(index)
                stack.append(target)
                on_stack.add(target)
                work.append((target, iter(sorted(imported_by(target)))))
            elif target in on_stack:
                low[node] = min(low[node], index[target])
    return found


def where(*, graph: grimp.ImportGraph, component: list[str]) -> list[str]:
    """Each import inside one cycle, as importer:line -> imported."""
    members = set(component)
    return [
        f"{importer}:{detail['line_number']} -> {imported}"
        for importer in component
        for imported in sorted(graph.find_modules_directly_imported_by(importer) & members)
        for detail in graph.get_import_details(importer=importer, imported=imported)
    ]


def test_service_has_no_import_cycle() -> None:
    graph = grimp.build_graph("service", cache_dir=None)
    found = cycles(modules=graph.modules, imported_by=graph.find_modules_directly_imported_by)
    assert found == [], "import cycles:\n" + "\n".join(line for c in found for line in where(graph=graph, component=c))


def test_import_contracts_are_kept() -> None:
    linter = Path(sys.executable).parent / "lint-imports"
    run = subprocess.run([str(linter), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout + run.stderr


def test_a_cycle_through_a_package_init_is_found() -> None:
    graph = grimp.ImportGraph()
    for importer, imported in [("p", "p.a"), ("p.a", "p.b"), ("p.b", "p"), ("p.b", "q"), ("q", "r")]:
        graph.add_import(importer=importer, imported=imported)
    found = cycles(modules=graph.modules, imported_by=graph.find_modules_directly_imported_by)
    assert found == [["p", "p.a", "p.b"]]


def test_two_cycles_are_found_apart_and_a_chain_is_none() -> None:
    edges = {"a": {"b"}, "b": {"a", "c"}, "c": {"d"}, "d": {"e", "c"}, "e": set(), "f": {"a"}}
    assert cycles(modules=edges, imported_by=edges.__getitem__) == [["c", "d"], ["a", "b"]]
    chain = {"a": {"b"}, "b": {"c"}, "c": set()}
    assert cycles(modules=chain, imported_by=chain.__getitem__) == []

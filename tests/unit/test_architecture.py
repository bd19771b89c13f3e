"""The package rules of docs/architecture.md, read from the source's import statements.

Every `import` and `from ... import` counts, including those inside functions (a lazy import
is still a dependency), so a rule cannot be dodged by moving an import into a function body.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("pipeline", "connectors")

CONNECTORS_MAY_USE = (
    "connectors",
    "pipeline.contracts",
    "pipeline.settings",
    "pipeline.security",
    "pipeline.observability",
)
"""Connectors meet the worker only in the shared contracts, settings, security and observability."""


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """The project modules `name` imports (a package's own names count as the package)."""
    is_package = path.name == "__init__.py"
    deps: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                here = name.split(".") if is_package else name.split(".")[:-1]
                here = here[: len(here) - (node.level - 1)]
                base = ".".join(here + ([base] if base else []))
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
                for alias in node.names
            ]
        else:
            continue
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != name:
                deps.add(target)
    return deps


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _within(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_reader_sees_the_project():
    assert "pipeline.worker.processor" in GRAPH
    assert "pipeline.contracts.deadletter" in GRAPH["connectors.producer"]


@pytest.mark.parametrize("module", sorted(m for m in GRAPH if m.startswith("connectors")))
def test_connectors_use_only_the_shared_modules(module):
    # `pipeline` itself (the package's version) is allowed; its subpackages only as listed.
    outside = sorted(
        d for d in GRAPH[module] if d != "pipeline" and not _within(d, CONNECTORS_MAY_USE)
    )
    assert not outside, f"{module} imports {outside}"


def test_contracts_import_neither_connectors_nor_the_worker():
    # The dead-letter record redacts secrets (pipeline.security): shared, so allowed.
    allowed = ("pipeline.contracts", "pipeline.security")
    for module in (m for m in GRAPH if _within(m, ("pipeline.contracts",))):
        assert all(_within(d, allowed) or d == "pipeline" for d in GRAPH[module]), (
            module,
            GRAPH[module],
        )


def test_shared_modules_never_reach_into_the_worker_or_enrichment():
    shared = ("pipeline.settings", "pipeline.security", "pipeline.observability")
    forbidden = (
        "connectors",
        "pipeline.worker",
        "pipeline.enrich",
        "pipeline.sinks",
        "pipeline.cli",
    )
    for module in (m for m in GRAPH if _within(m, shared)):
        assert not [d for d in GRAPH[module] if _within(d, forbidden)], (module, GRAPH[module])


def test_encoder_backends_know_neither_each_other_nor_the_encoder():
    backends = ("pipeline.enrich.torch_backend", "pipeline.enrich.onnx_backend")
    for module in backends:
        others = {"pipeline.enrich.encoder", "pipeline.enrich.backends", *backends} - {module}
        assert not GRAPH[module] & others, (module, GRAPH[module] & others)


def test_there_are_no_import_circles_between_files():
    assert _cycles(GRAPH) == []


def test_the_circle_finder_finds_a_circle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_test_modules_have_unique_names():
    # pytest imports test files by basename (no packages under tests/): two files of one
    # name stop the whole collection, which a run of one folder never shows.
    names = [p.name for p in (ROOT / "tests").rglob("test_*.py")]
    assert sorted({n for n in names if names.count(n) > 1}) == []

"""The package layout follows the pipeline: no import cycles, and each stage imports only
what its package docstring allows (imports inside functions count too)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "handoff_ai"

# stage -> stages (top-level names under handoff_ai) it must never import
FORBIDDEN = {
    "models": {
        "parsers",
        "merge",
        "privacy",
        "rules",
        "llm",
        "backends",
        "renderers",
        "evaluation",
        "apps",
        "api",
        "batch",
        "incremental",
        "escalation",
        "audit",
    },
    "parsers": {
        "merge",
        "privacy",
        "rules",
        "llm",
        "backends",
        "renderers",
        "evaluation",
        "apps",
        "escalation",
        "audit",
    },
    "merge": {
        "privacy",
        "rules",
        "llm",
        "backends",
        "renderers",
        "evaluation",
        "apps",
        "escalation",
        "audit",
    },
    "privacy": {
        "parsers",
        "merge",
        "rules",
        "llm",
        "backends",
        "renderers",
        "evaluation",
        "apps",
        "escalation",
        "audit",
    },
    "rules": {"llm", "backends", "renderers", "evaluation", "apps", "api", "batch", "escalation", "audit"},
    "llm": {"backends", "renderers", "evaluation", "apps", "api", "batch", "escalation", "audit"},
    "backends": {"renderers", "evaluation", "apps", "api", "batch", "audit"},
    "renderers": {
        "parsers",
        "merge",
        "rules",
        "llm",
        "backends",
        "evaluation",
        "apps",
        "escalation",
        "audit",
    },
    "evaluation": {"apps"},
    "taxonomy": {
        "parsers",
        "merge",
        "privacy",
        "rules",
        "llm",
        "backends",
        "renderers",
        "apps",
        "escalation",
        "audit",
    },
    "exceptions": {
        "models",
        "parsers",
        "merge",
        "privacy",
        "rules",
        "llm",
        "backends",
        "renderers",
        "apps",
        "escalation",
        "audit",
    },
    "limits": {
        "parsers",
        "merge",
        "privacy",
        "rules",
        "llm",
        "backends",
        "renderers",
        "apps",
        "escalation",
        "audit",
    },
    "escalation": {"llm", "backends", "renderers", "evaluation", "apps", "api", "batch", "incremental"},
    # The audit reads conversations with the rules engine's facts and cues; it may use
    # parsers, privacy (masking excerpts), rules, models, taxonomy; never a model or an app.
    "audit": {"merge", "llm", "backends", "renderers", "evaluation", "apps", "api", "batch", "incremental"},
    "api": {"apps"},
    "batch": {"apps"},
    "incremental": {"apps"},
}


def _modules() -> dict[str, tuple[Path, bool]]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = ["handoff_ai", *path.relative_to(PACKAGE).with_suffix("").parts]
        is_package = parts[-1] == "__init__"
        found[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return found


MODULES = _modules()


def _owner(name: str) -> str:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name


def _imports(name: str) -> Iterator[tuple[str, int]]:
    """Every handoff_ai module ``name`` imports, with the line (top level, functions, TYPE_CHECKING)."""
    path, is_package = MODULES[name]
    base = name.split(".") if is_package else name.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "handoff_ai":
                    yield _owner(alias.name), node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = base[: len(base) - node.level + 1]
                target = ".".join([*anchor, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            if target.split(".")[0] != "handoff_ai":
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                yield (sub if sub in MODULES else _owner(target)), node.lineno


GRAPH = {name: {dep for dep, _ in _imports(name)} - {name} for name in MODULES}


def _stage(name: str) -> str:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_the_graph_is_read() -> None:
    # A sanity check on the reader itself, so the tests below cannot pass by reading nothing.
    assert "handoff_ai.backends.rules" in GRAPH["handoff_ai.backends"]
    assert "handoff_ai.rules.facts" in GRAPH["handoff_ai.backends.rules"]
    assert any(dep.startswith("handoff_ai.llm.") for dep in GRAPH["handoff_ai.backends._openai_base"])


def test_no_import_cycles() -> None:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for dep in sorted(GRAPH.get(node, ())):
            if dep not in index:
                visit(dep)
                low[node] = min(low[node], low[dep])
            elif dep in on_stack:
                low[node] = min(low[node], index[dep])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(GRAPH):
        if node not in index:
            visit(node)
    assert cycles == []


@pytest.mark.parametrize("stage", sorted(FORBIDDEN))
def test_stage_imports_only_what_its_contract_allows(stage: str) -> None:
    bad = []
    for name in sorted(MODULES):
        if _stage(name) != stage:
            continue
        for dep, line in _imports(name):
            if _stage(dep) in FORBIDDEN[stage]:
                bad.append(f"{name}:{line} imports {dep}")
    assert bad == []


def test_nothing_in_the_engine_imports_an_app() -> None:
    bad = [
        f"{name} imports {dep}"
        for name, deps in GRAPH.items()
        if _stage(name) != "apps" and name != "handoff_ai.__main__"
        for dep in deps
        if _stage(dep) == "apps"
    ]
    assert bad == []


def test_top_level_holds_at_most_ten_modules() -> None:
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= 10, top


def test_every_package_says_what_it_does_and_never_imports() -> None:
    for stage in (
        "models",
        "parsers",
        "merge",
        "privacy",
        "rules",
        "llm",
        "backends",
        "renderers",
        "escalation",
        "audit",
    ):
        doc = ast.get_docstring(ast.parse((PACKAGE / stage / "__init__.py").read_text(encoding="utf-8")))
        assert doc, stage
        assert "never import" in doc.lower() or "depends on no stage" in doc.lower(), stage


def test_old_documented_paths_are_the_new_modules() -> None:
    import importlib

    import handoff_ai.apps.ray
    import handoff_ai.llm.tokens
    import handoff_ai.privacy.redact

    assert importlib.import_module("handoff_ai.redact") is handoff_ai.privacy.redact
    assert importlib.import_module("handoff_ai.tokens") is handoff_ai.llm.tokens
    assert importlib.import_module("handoff_ai.integrations.ray") is handoff_ai.apps.ray
    from handoff_ai.redact import Redactor

    assert Redactor is handoff_ai.privacy.redact.Redactor

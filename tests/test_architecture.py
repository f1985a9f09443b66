"""The design's import rules: heavy libraries stay in their one module; the core never
imports the UI; nothing heavy loads just to show help."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "inquirer"

OWNERS = {
    "chromadb": {"store.py"},
    "sentence_transformers": {"embeddings.py"},
    "transformers": {"embeddings.py", "checker.py"},  # evals/checker.py fine-tunes its own
    "llama_index": {"retrieval.py"},
    "litellm": {"llm.py"},
    "xllamacpp": {"local_model.py"},
    "textual": {"tui"},
    "matplotlib": {"plots.py"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("module", sorted(OWNERS))
def test_heavy_library_is_imported_by_its_owner_only(module: str) -> None:
    owners = OWNERS[module]
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE)
        owned = rel.name in owners or (rel.parts[0] in owners and len(rel.parts) > 1)
        if module in _imports(path) and not owned:
            offenders.append(str(rel))
    assert offenders == [], f"{module} imported outside {owners}: {offenders}"


def _loaded_after(statement: str) -> set[str]:
    code = f"import sys\n{statement}\nprint(' '.join(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return {name.split(".")[0] for name in out.stdout.split()}


def test_cli_loads_no_heavy_library_until_a_command_needs_it() -> None:
    loaded = _loaded_after("import inquirer.cli")
    heavy = {"chromadb", "torch", "sentence_transformers", "litellm", "llama_index", "textual"}
    assert loaded & heavy == set()


def test_headless_core_never_loads_the_ui() -> None:
    core = [p.stem for p in PACKAGE.glob("*.py") if p.stem not in {"__main__", "cli"}]
    statement = "\n".join(f"import inquirer.{name}" for name in core)
    assert "textual" not in _loaded_after(statement)


def test_the_pipeline_loads_heavy_libraries_only_when_it_runs() -> None:
    loaded = _loaded_after("import inquirer.pipeline, inquirer.composer, inquirer.agent")
    heavy = {"chromadb", "torch", "sentence_transformers", "litellm", "llama_index", "xllamacpp"}
    assert loaded & heavy == set()


def test_the_tui_paints_before_any_heavy_library_loads() -> None:
    loaded = _loaded_after("import inquirer.tui.app, inquirer.session, inquirer.history")
    heavy = {"chromadb", "torch", "sentence_transformers", "litellm", "llama_index", "xllamacpp"}
    assert loaded & heavy == set()

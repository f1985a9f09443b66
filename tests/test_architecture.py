"""What each entry point loads: nothing heavy just to show help, the core never the UI, the TUI
paints before any model library loads. Which module may import which is the import contracts'
part (pyproject.toml, `lint-imports` in make lint)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "inquirer"


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

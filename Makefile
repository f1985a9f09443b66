# inquirer — the commands a user and a reviewer need. Everything runs from a local .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
QUESTION ?= Does instruction tuning teach a model the task, or only the output format?

.PHONY: run tui test check lint typecheck smoke bench clean

# uv installs the same packages as pip in seconds rather than minutes. It does not read pip's
# configuration, so the wheel folders pip is pointed at (on these machines, the CPU build of
# torch) are handed on to it. Unlike pip it writes no bytecode unless asked: without it, where
# PYTHONDONTWRITEBYTECODE is set (as on these machines) every process compiles torch,
# transformers and litellm from source again, and each `inquirer` command starts ~2.5x slower.
FIND_LINKS := $(or $(PIP_FIND_LINKS),$(shell $(PYTHON) -m pip config get global.find-links 2>/dev/null))
UV_INSTALL := $(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python \
	$(addprefix --find-links ,$(FIND_LINKS))

# Create the virtual environment and install inquirer with its test tools; redone when
# pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet uv
	$(UV_INSTALL) -e '.[dev]'
	touch $@

# The 1.5B local model (1.1 GB): it composes markedly better than the 0.5B that comes with
# inquirer, so the main job uses it. The tests run on the 0.5B.
$(VENV)/.model-1-5b: $(VENV)/.installed
	$(UV_INSTALL) -e '.[dev,model-1-5b]'
	touch $@

# The main job on the bundled corpus: check and index it, then answer a sample question with
# an inquiring line from the best local model installed.
run: $(VENV)/.model-1-5b
	$(BIN)/inquirer corpus check corpus
	$(BIN)/inquirer index corpus
	$(BIN)/inquirer ask "$(QUESTION)"

# Terminal chat over the bundled corpus (after make run has indexed it).
tui: $(VENV)/.model-1-5b
	$(BIN)/inquirer tui

# format, lint, and the import contracts of pyproject.toml (the layering of DESIGN.md)
lint: $(VENV)/.installed
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/lint-imports --no-logo

typecheck: $(VENV)/.installed
	$(BIN)/mypy src tests benchmarks

# Everything a reviewer runs: format, lint, types, the whole test suite.
check: lint typecheck
	$(BIN)/python -m pytest

test: check

# The eval suite's smoke run (evals/smoke.toml) on the real 0.5B model: 7-15 minutes on these
# 2 cores, so not part of `make test` (the README says why).
smoke: $(VENV)/.installed
	$(BIN)/python -m pytest -m smoke -s tests/test_eval_e2e.py

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/index_throughput.py
	$(BIN)/python benchmarks/retrieval_eval.py
	$(BIN)/python benchmarks/verifier_eval.py
	$(BIN)/python benchmarks/tui_start.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

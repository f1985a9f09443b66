# inquirer — the commands a user and a reviewer need. Everything runs from a local .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
QUESTION ?= Does instruction tuning teach a model the task, or only the output format?

.PHONY: run test check lint typecheck bench clean

# Create the virtual environment and install inquirer with its test tools; redone when
# pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# The main job on the bundled corpus: index it, then answer a sample question.
run: $(VENV)/.installed
	$(BIN)/inquirer corpus check corpus
	$(BIN)/inquirer index corpus
	$(BIN)/inquirer search "$(QUESTION)"

lint: $(VENV)/.installed
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/ruff check src tests benchmarks

typecheck: $(VENV)/.installed
	$(BIN)/mypy src tests benchmarks

# Everything a reviewer runs: format, lint, types, the whole test suite.
check: lint typecheck
	$(BIN)/python -m pytest

test: check

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/index_throughput.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

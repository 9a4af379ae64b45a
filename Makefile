# motcua — the two commands that matter: `make demo` and `make test`.
# Needs only python3 (>= 3.11), pip and make: uv is bootstrapped through pip when missing,
# and never downloads a Python of its own.

PYTHON ?= python3
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(shell command -v $(PYTHON))
UV := $(shell command -v uv 2>/dev/null)
ifeq ($(UV),)
UV := .tools/bin/uv
endif
VENV := .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: install demo test lint format bench clean

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv

$(BIN)/motcua: pyproject.toml uv.lock | $(UV)
	$(UV) sync --locked --quiet
	@touch $@

install: $(BIN)/motcua ## create .venv with the locked dependencies and motcua itself

demo: install ## migrate, load the demo province, print logins, serve on 127.0.0.1:8000
	$(BIN)/motcua demo

test: install ## the whole suite (DATABASE_URL chooses the database; SQLite by default)
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

# mypy reads tests/ in a run of its own: given src/ on the same command line, it fails to
# see submodules such as motcua.catalog.demo that tests import by `from … import demo`.
lint: install ## ruff and mypy
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src bench
	$(BIN)/mypy tests

format: install
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

bench: install ## list the benchmarks in bench/; BENCH="clock report" runs those (slow; not part of the tests)
	$(BIN)/python bench/run.py $(BENCH)

clean:
	rm -rf $(VENV) .tools var .pytest_cache .mypy_cache .ruff_cache

# Two commands do all set-up on a fresh clone: `make demo` and `make test`.
#
# .venv holds the exact versions of requirements/dev.lock (every file checked against its
# hash by plain pip), so every machine tests what CI tests. uv is needed only to refresh
# the lock (`make lock`) and for the newest and lowest resolutions (`make test-latest`,
# `make test-oldest`); it is installed pinned and hash-checked from requirements/uv.txt.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
UV := $(BIN)/uv
LOCK := requirements/dev.lock
ORACLE_LOCK := requirements/oracle.lock
ORACLE_VENV := .venv-oracle
ORACLE_STAMP := $(ORACLE_VENV)/.installed
SOURCES := src tests bench
PIP := -m pip --disable-pip-version-check

.PHONY: setup dot demo test lint format bench docs golden lock lock-oracle test-latest test-oldest test-oracle clean

# A new lock or a new pyproject.toml rebuilds .venv from nothing, so that nothing outside
# the lock is left behind in it.
$(STAMP): pyproject.toml $(LOCK)
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python $(PIP) install --quiet --require-hashes --no-deps -r $(LOCK)
	$(BIN)/python $(PIP) install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

$(UV): $(STAMP) requirements/uv.txt
	$(BIN)/python $(PIP) install --quiet --require-hashes --no-deps -r requirements/uv.txt
	touch $(UV)

setup: $(STAMP) dot

dot:
	@sh scripts/ensure-dot.sh

demo: setup
	$(BIN)/procmap validate processes/
	$(BIN)/procmap render processes/ -o out/

test: setup
	$(BIN)/ruff check $(SOURCES)
	$(BIN)/ruff format --check $(SOURCES)
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check $(SOURCES)
	$(BIN)/ruff format --check $(SOURCES)
	$(BIN)/lint-imports --no-cache

format: setup
	$(BIN)/ruff check --fix $(SOURCES)
	$(BIN)/ruff format $(SOURCES)

bench: setup
	$(BIN)/python bench/bench.py

docs: setup
	$(BIN)/procmap rules --format markdown > docs/rules.md
	$(BIN)/procmap render processes/webinar-funnel.yaml processes/seo-keyword-research.yaml \
		-o docs/example --no-index -q
	$(BIN)/procmap simulate processes/webinar-funnel.yaml --cases 300 -o examples/webinar-funnel.csv
	$(BIN)/procmap measure processes/webinar-funnel.yaml examples/webinar-funnel.csv \
		-o docs/example > /dev/null

golden: setup
	PROCMAP_UPDATE_GOLDEN=1 $(BIN)/python -m pytest tests -k golden

# Refresh the lock: the newest versions pyproject.toml allows (and the build backend, so
# that the editable install needs no unpinned download), for every platform, Python 3.11+.
# Commit the new lock after `make test` passes with it.
lock: $(UV)
	$(UV) pip compile pyproject.toml requirements/build.in --extra dev --universal \
		--python-version 3.11 --generate-hashes --upgrade --quiet \
		--custom-compile-command "make lock" -o $(LOCK).new
	@# Replace the lock only when it changed, so that an unchanged lock rebuilds nothing.
	@if cmp -s $(LOCK).new $(LOCK); then rm $(LOCK).new; echo "$(LOCK) is up to date"; \
	else mv $(LOCK).new $(LOCK); echo "$(LOCK) updated: read git diff $(LOCK)"; fi

# The test oracle's lock: pm4py (the `oracle` extra) and what it needs, for every platform,
# Python 3.11+, held to the versions of requirements/dev.lock (-c), so that .venv-oracle
# tests the very dependencies procmap is tested with. pm4py is AGPL-3.0: a test oracle and
# a benchmark peer only, never a dependency of procmap. Run after `make lock`.
lock-oracle: $(UV)
	$(UV) pip compile pyproject.toml --extra oracle -c $(LOCK) --universal \
		--python-version 3.11 --generate-hashes --upgrade --quiet \
		--custom-compile-command "make lock-oracle" -o $(ORACLE_LOCK).new
	@if cmp -s $(ORACLE_LOCK).new $(ORACLE_LOCK); then rm $(ORACLE_LOCK).new; \
	echo "$(ORACLE_LOCK) is up to date"; else mv $(ORACLE_LOCK).new $(ORACLE_LOCK); \
	echo "$(ORACLE_LOCK) updated: read git diff $(ORACLE_LOCK)"; fi

# procmap's figures against pm4py's on the same logs (tests/test_oracle.py; `make test`
# skips them, pm4py not being installed there). Its own venv, from the two hashed locks,
# rebuilt when either lock or pyproject.toml changes.
$(ORACLE_STAMP): pyproject.toml $(LOCK) $(ORACLE_LOCK)
	rm -rf $(ORACLE_VENV)
	$(PYTHON) -m venv $(ORACLE_VENV)
	$(ORACLE_VENV)/bin/python $(PIP) install --quiet --require-hashes --no-deps \
		-r $(LOCK) -r $(ORACLE_LOCK)
	$(ORACLE_VENV)/bin/python $(PIP) install --quiet --no-deps --no-build-isolation -e .
	touch $(ORACLE_STAMP)

test-oracle: $(ORACLE_STAMP)
	$(ORACLE_VENV)/bin/python -m pytest tests/test_oracle.py -p no:cacheprovider

# The newest releases the declared ranges allow, today, in their own venv: what a user who
# runs `pip install procmap` now gets. The weekly workflow runs it to see a breaking
# release before users do. (--seed: the wheel test builds with pip.)
test-latest: $(UV) dot
	rm -rf .venv-latest
	$(UV) venv --quiet --seed --python $(BIN)/python .venv-latest
	VIRTUAL_ENV=.venv-latest $(UV) pip install --quiet --resolution highest --upgrade \
		--refresh -e '.[dev]'
	.venv-latest/bin/ruff check $(SOURCES)
	.venv-latest/bin/ruff format --check $(SOURCES)
	.venv-latest/bin/lint-imports --no-cache
	.venv-latest/bin/python -m pytest

# The lowest versions pyproject.toml declares for procmap's own dependencies (theirs at
# the newest they allow, as a user with an old typer or pydantic would have): proves the
# floors are true. ruff runs too: its floor is the oldest release that formats like the
# locked one, so a formatting change in a new ruff shows up here as a floor to raise.
# (--seed: the wheel test builds with pip.)
test-oldest: $(UV) dot
	rm -rf .venv-oldest
	$(UV) venv --quiet --seed --python $(BIN)/python .venv-oldest
	VIRTUAL_ENV=.venv-oldest $(UV) pip install --quiet --resolution lowest-direct \
		-e '.[dev]'
	.venv-oldest/bin/ruff check $(SOURCES)
	.venv-oldest/bin/ruff format --check $(SOURCES)
	.venv-oldest/bin/lint-imports --no-cache
	.venv-oldest/bin/python -m pytest

clean:
	rm -rf $(VENV) .venv-latest .venv-oldest $(ORACLE_VENV) out build dist .pytest_cache .ruff_cache

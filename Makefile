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

.PHONY: setup dot browser demo test screenshots lint format bench docs golden lock lock-oracle test-latest test-oldest test-oracle test-interop test-mermaid test-install docs-bpmn clean

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

# Chromium for the browser tests of the HTML site (skipped, saying why, when it cannot be
# installed).
browser:
	@sh scripts/ensure-chromium.sh

demo: setup
	$(BIN)/procmap validate processes/
	$(BIN)/procmap render processes/ -o out/ -f svg,runbook,dmaic,html

# mypy reads its configuration from pyproject.toml ([tool.mypy]: src/, strict below the
# CLI) and keeps its cache in .mypy_cache, so a second run checks only what changed.
test: setup browser
	$(BIN)/ruff check $(SOURCES)
	$(BIN)/ruff format --check $(SOURCES)
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check $(SOURCES)
	$(BIN)/ruff format --check $(SOURCES)
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy

format: setup
	$(BIN)/ruff check --fix $(SOURCES)
	$(BIN)/ruff format $(SOURCES)

bench: setup
	$(BIN)/python bench/bench.py

# The example log first: the render measures it ([tool.procmap.logs] in pyproject.toml).
docs: setup
	$(BIN)/procmap rules --format markdown > docs/rules.md
	$(BIN)/procmap simulate processes/webinar-funnel.yaml --cases 300 --handoff-wait 1d \
		-o examples/webinar-funnel.csv
	$(BIN)/procmap render processes/webinar-funnel.yaml processes/seo-keyword-research.yaml \
		-o docs/example --no-index -q
	$(BIN)/procmap measure processes/webinar-funnel.yaml examples/webinar-funnel.csv \
		-o docs/example > /dev/null
	$(BIN)/procmap portfolio processes/ -o docs/example -f markdown > /dev/null

# The README's screenshots of the site (docs/site/), taken by the browser test.
screenshots: setup browser
	PROCMAP_UPDATE_SCREENSHOTS=1 $(BIN)/python -m pytest tests/test_site_browser.py -q

# Rewrite the golden files (tests/golden/) that changed: every test using the `golden`
# fixture is marked `golden` (tests/conftest.py says how it works).
golden: setup
	PROCMAP_UPDATE_GOLDEN=1 $(BIN)/python -m pytest tests -m golden -p no:cacheprovider

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
	$(UV) pip compile requirements/pipx.in --universal --python-version 3.11 \
		--generate-hashes --upgrade --quiet --custom-compile-command "make lock" \
		-o requirements/pipx.txt

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
	$(ORACLE_VENV)/bin/python -m pytest tests/test_oracle.py tests/test_oracle_discover.py -p no:cacheprovider

# The newest releases the declared ranges allow, today, in their own venv: what a user who
# runs `pip install procmap` now gets. The weekly workflow runs it to see a breaking
# release before users do. (--seed: the wheel test builds with pip.)
test-latest: $(UV) dot browser
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
test-oldest: $(UV) dot browser
	rm -rf .venv-oldest
	$(UV) venv --quiet --seed --python $(BIN)/python .venv-oldest
	VIRTUAL_ENV=.venv-oldest $(UV) pip install --quiet --resolution lowest-direct \
		-e '.[dev]'
	.venv-oldest/bin/ruff check $(SOURCES)
	.venv-oldest/bin/ruff format --check $(SOURCES)
	.venv-oldest/bin/lint-imports --no-cache
	.venv-oldest/bin/python -m pytest

# procmap installed as the README's "Install" section says, each way into a throwaway
# place: a built wheel and a git URL with pip, the git URL with `uv tool install` and with
# `pipx install` (pipx pinned in requirements/pipx.txt); each then runs --version, init and
# validate. The git URL is a file:// clone of HEAD: commit first. Dependencies come from
# the package index, so it needs the network (about two minutes).
test-install: $(UV)
	sh scripts/test-install.sh $(abspath $(BIN)/python) $(abspath $(UV))

# The BPMN export as other tools read it: bpmnlint with its recommended rules and no
# warnings, and bpmn-js's modeler with no import warning and no change of meaning after
# it saves the file again, on the export of every bundled process and every starter, and of
# the parallel blocks and waits of issue 18 (their processes, and the modelers' fixtures of
# tests/bpmn/import/parallel-*.bpmn as imported), a process with several starts, and the
# modelers' corpus of issue 19 (tests/bpmn/corpus/) as imported. npm installs the
# versions pinned in interop/package-lock.json into interop/node_modules (not committed).
INTEROP_OUT := out/interop
INTEROP_PARALLEL := tests/cases/valid/parallel-block-in-decision-loop-in-strand/client-setup.yaml \
	tests/bpmn/export/review-in-strand.yaml tests/bpmn/export/two-starts.yaml
test-interop: setup browser
	cd interop && npm ci --no-audit --no-fund --loglevel=error
	rm -rf $(INTEROP_OUT)
	$(BIN)/procmap render processes/ -f bpmn -o $(INTEROP_OUT)/processes --no-index -q
	$(BIN)/procmap render src/procmap/scaffold/starters/ -f bpmn -o $(INTEROP_OUT)/starters \
		--no-index -q
	@# parallel blocks and waits (issue 18): the issue's client set-up (the invoice chase
	@# is among processes/ above), a decision inside a strand, and the
	@# modelers' parallel and timer fixtures as procmap imports them
	mkdir -p $(INTEROP_OUT)/parallel-src
	cp $(INTEROP_PARALLEL) $(INTEROP_OUT)/parallel-src/
	for file in tests/bpmn/import/parallel-*.bpmn; do \
		$(BIN)/procmap import $$file -o $(INTEROP_OUT)/parallel-src -q || exit 1; done
	$(BIN)/procmap render $(INTEROP_OUT)/parallel-src -f bpmn -o $(INTEROP_OUT)/parallel \
		--no-index -q
	@# the modelers' corpus (issue 19), each file into a folder of its own
	@for file in tests/bpmn/corpus/*.bpmn; do \
		name=$$(basename $$file .bpmn); \
		said=$$($(BIN)/procmap import $$file -o $(INTEROP_OUT)/corpus-src/$$name -q) || \
			{ echo "$$said"; exit 1; }; \
		said=$$($(BIN)/procmap render $(INTEROP_OUT)/corpus-src/$$name -f bpmn \
			-o $(INTEROP_OUT)/corpus/$$name --no-index -q) || { echo "$$said"; exit 1; }; \
	done; echo "corpus: every file of tests/bpmn/corpus imported and exported again"
	cd interop && ./node_modules/.bin/bpmnlint --max-warnings=0 \
		../$(INTEROP_OUT)/processes/*.bpmn ../$(INTEROP_OUT)/starters/*.bpmn \
		../$(INTEROP_OUT)/parallel/*.bpmn ../$(INTEROP_OUT)/corpus/*/*.bpmn
	@echo "bpmnlint: every export passes the recommended rules"
	@# bpmn-js's modeler must open each file without a warning, and what it saves must
	@# import back with no change of meaning (needs Chromium)
	@if command -v chromium >/dev/null 2>&1; then \
		python3 scripts/bpmnjs-check.py --resave $(INTEROP_OUT)/resaved/processes \
			$(INTEROP_OUT)/processes/*.bpmn && \
		python3 scripts/bpmnjs-check.py --resave $(INTEROP_OUT)/resaved/starters \
			$(INTEROP_OUT)/starters/*.bpmn && \
		sh scripts/interop-round-trip.sh $(BIN)/procmap processes \
			$(INTEROP_OUT)/resaved/processes $(INTEROP_OUT)/back/processes && \
		sh scripts/interop-round-trip.sh $(BIN)/procmap src/procmap/scaffold/starters \
			$(INTEROP_OUT)/resaved/starters $(INTEROP_OUT)/back/starters && \
		python3 scripts/bpmnjs-check.py --resave $(INTEROP_OUT)/resaved/parallel \
			$(INTEROP_OUT)/parallel/*.bpmn && \
		sh scripts/interop-round-trip.sh $(BIN)/procmap $(INTEROP_OUT)/parallel-src \
			$(INTEROP_OUT)/resaved/parallel $(INTEROP_OUT)/back/parallel && \
		python3 scripts/bpmnjs-check.py $(INTEROP_OUT)/corpus/*/*.bpmn; \
	else echo "chromium is missing: the bpmn-js checks are skipped (apt-get install chromium)"; fi

# The Mermaid output as Mermaid itself reads it: Mermaid's parser (interop/mermaid/, the
# versions pinned in its package-lock.json) on the charts of every bundled process, both
# directions, and on the golden charts (parallel blocks and waits among them).
MERMAID_OUT := out/mermaid
test-mermaid: setup
	cd interop/mermaid && npm ci --no-audit --no-fund --loglevel=error
	rm -rf $(MERMAID_OUT)
	$(BIN)/procmap render processes/ -f mermaid -o $(MERMAID_OUT)/LR --no-index -q
	$(BIN)/procmap render processes/ -f mermaid -o $(MERMAID_OUT)/TB -d TB --no-index -q
	node interop/mermaid/parse.mjs $(MERMAID_OUT)/*/*.mmd tests/golden/mermaid/*.mmd

# The README's picture of an exported process as bpmn.io draws it: bpmn-js (interop/) in
# headless Chromium (Debian: apt-get install chromium), beside procmap's own map.
docs-bpmn: setup browser
	cd interop && npm ci --no-audit --no-fund --loglevel=error
	$(BIN)/procmap render processes/webinar-funnel.yaml -f bpmn -o docs/example --no-index -q
	python3 scripts/bpmn-screenshot.py docs/example/webinar-funnel.bpmn \
		docs/example/webinar-funnel.bpmn.png

clean:
	rm -rf $(VENV) .venv-latest .venv-oldest $(ORACLE_VENV) out build dist .pytest_cache .ruff_cache \
		.mypy_cache

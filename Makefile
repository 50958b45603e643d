# Two commands do all set-up on a fresh clone: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SOURCES := src tests bench

.PHONY: setup dot demo test lint format bench docs golden clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP) dot

dot:
	@sh scripts/ensure-dot.sh

demo: setup
	$(BIN)/procmap validate processes/
	$(BIN)/procmap render processes/ -o out/

test: setup
	$(BIN)/ruff check $(SOURCES)
	$(BIN)/ruff format --check $(SOURCES)
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check $(SOURCES)
	$(BIN)/ruff format --check $(SOURCES)

format: setup
	$(BIN)/ruff check --fix $(SOURCES)
	$(BIN)/ruff format $(SOURCES)

bench: setup
	$(BIN)/python bench/bench.py

docs: setup
	$(BIN)/procmap rules --format markdown > docs/rules.md
	$(BIN)/procmap render processes/webinar-funnel.yaml processes/seo-keyword-research.yaml \
		-o docs/example --no-index -q

golden: setup
	PROCMAP_UPDATE_GOLDEN=1 $(BIN)/python -m pytest tests -k golden

clean:
	rm -rf $(VENV) out build dist .pytest_cache .ruff_cache

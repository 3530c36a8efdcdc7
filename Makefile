# logsweep: `make run` scans the shipped sample tree (or LOGS=/var/log), `make test` runs CI's checks.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LOGS ?=
SAMPLES := samples/tree
# Year-less sample times are written in UTC; a real tree uses the machine's zone.
TZ_ARG := $(if $(LOGS),,--timezone UTC)
STAMP := $(VENV)/.installed

.PHONY: install run test lint typecheck unit clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e . --group dev
	touch $(STAMP)

$(SAMPLES): | $(STAMP)
	$(BIN)/logsweep sample $(SAMPLES)

run: $(STAMP) $(if $(LOGS),,$(SAMPLES))
	$(BIN)/logsweep scan $(or $(LOGS),$(SAMPLES)) --format markdown $(TZ_ARG)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	PREFECT_SERVER_ANALYTICS_ENABLED=false $(BIN)/pytest -q

test: lint typecheck unit

clean:
	rm -rf $(VENV) samples .mypy_cache .ruff_cache .pytest_cache

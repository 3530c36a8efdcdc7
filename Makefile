# logsweep: `make run` scans the shipped sample tree (or LOGS=/var/log), `make test` runs CI's checks.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LOGS ?=
SAMPLES := samples/tree
# Year-less sample times are written in UTC; a real tree uses the machine's zone.
TZ_ARG := $(if $(LOGS),,--timezone UTC)
STAMP := $(VENV)/.installed

# The HTML report test drives Debian's Chromium headless; CI runs as root.
CHROMIUM := /usr/bin/chromium
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: install browser run test lint typecheck unit clean

install: $(STAMP)

# With the dask extra: CI runs the tests on a real Dask cluster, never skips them.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dask]' --group dev
	touch $(STAMP)

# Debian's package, never a browser download: only registries are reachable from CI.
browser: $(CHROMIUM)

$(CHROMIUM):
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium

$(SAMPLES): | $(STAMP)
	$(BIN)/logsweep sample $(SAMPLES)

run: $(STAMP) $(if $(LOGS),,$(SAMPLES))
	$(BIN)/logsweep scan $(or $(LOGS),$(SAMPLES)) --format markdown $(TZ_ARG)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP) $(CHROMIUM)
	PREFECT_SERVER_ANALYTICS_ENABLED=false $(BIN)/pytest -q

test: lint typecheck unit

clean:
	rm -rf $(VENV) samples .mypy_cache .ruff_cache .pytest_cache

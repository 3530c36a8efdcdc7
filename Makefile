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
# The C kernels (logsweep/_keyscan.c, _sshdscan.c) are built at install; Debian's gcc if none is there.
GCC := /usr/bin/gcc
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

# A local Prefect server for the nightly deployment: its own SQLite under PREFECT_HOME
# (a folder you choose), on loopback only, no analytics.
PREFECT_HOME ?= $(CURDIR)/.prefect
PREFECT_PORT ?= 4200
PREFECT_URL := http://127.0.0.1:$(PREFECT_PORT)
PREFECT_ENV := PREFECT_HOME=$(PREFECT_HOME) PREFECT_SERVER_ANALYTICS_ENABLED=false \
	PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS=120
CLIENT_ENV := $(PREFECT_ENV) PREFECT_API_URL=$(PREFECT_URL)/api
POOL ?= logsweep
LOGSWEEP_CRON ?= 30 2 * * *
# The machine's zone (what the serve entry point defaults to) unless given.
LOGSWEEP_CRON_TIMEZONE ?= $(shell $(BIN)/python -c 'from logsweep.timeinfer import machine_timezone; print(machine_timezone())' 2>/dev/null || echo UTC)

.PHONY: install browser run test lint typecheck unit clean server serve deploy worker

install: $(STAMP)

# With the dask extra: CI runs the tests on a real Dask cluster, never skips them.
# compileall: an editable install compiles none of the project's modules (a wheel's
# does), and where PYTHONDONTWRITEBYTECODE is set nothing else writes them, so every
# run and every spawned worker would compile the core again (~0.03 s each).
$(STAMP): pyproject.toml setup.py logsweep/_keyscan.c logsweep/_sshdscan.c logsweep/_lines.h | $(GCC)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dask]' --group dev
	$(BIN)/python -m compileall -q logsweep flows tasks deployments
	touch $(STAMP)

# Debian's package, never a browser download: only registries are reachable from CI.
browser: $(CHROMIUM)

$(CHROMIUM):
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium

$(GCC):
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends gcc libc6-dev

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

# Foreground; Ctrl-C stops it. The database is $(PREFECT_HOME)/prefect.db.
server: $(STAMP)
	@mkdir -p $(PREFECT_HOME)
	@echo "Prefect UI: $(PREFECT_URL)  (API $(PREFECT_URL)/api, data in $(PREFECT_HOME))"
	$(PREFECT_ENV) PREFECT_SERVER_UI_API_URL=$(PREFECT_URL)/api \
		$(BIN)/prefect server start --host 127.0.0.1 --port $(PREFECT_PORT)

# One process: registers the nightly deployment and runs its flow runs (make server first).
serve: $(STAMP)
	$(CLIENT_ENV) $(BIN)/python -m deployments.nightly

# The work-pool alternative: deployments/prefect.yaml to a process pool, then `make worker`.
deploy: $(STAMP)
	$(CLIENT_ENV) $(BIN)/prefect work-pool inspect $(POOL) >/dev/null 2>&1 || \
		$(CLIENT_ENV) $(BIN)/prefect work-pool create $(POOL) --type process
	$(CLIENT_ENV) LOGSWEEP_CRON='$(LOGSWEEP_CRON)' LOGSWEEP_CRON_TIMEZONE='$(LOGSWEEP_CRON_TIMEZONE)' \
		$(BIN)/prefect --no-prompt deploy --prefect-file deployments/prefect.yaml --all

worker: $(STAMP)
	$(CLIENT_ENV) $(BIN)/prefect worker start --pool $(POOL)

clean:
	rm -rf $(VENV) samples .mypy_cache .ruff_cache .pytest_cache

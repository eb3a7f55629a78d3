# segur_funding — `make run` to serve, `make test` for the whole suite; `make setup` is idempotent.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: setup run test lint bench worker beat system-deps clean

setup: $(STAMP) system-deps
	@mkdir -p var/static var/private
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py load_reference_data
	$(PY) manage.py load_demo_data

$(STAMP): pyproject.toml
	@PYTHON=$(PYTHON) VENV=$(VENV) bash scripts/install.sh
	@touch $(STAMP)

# WeasyPrint needs pango; the browser tests need Debian's chromium. Installed with apt when
# missing (root on these machines); otherwise a clear message says what to install.
system-deps:
	@bash scripts/system-deps.sh

run: setup
	@if [ -n "$$REDIS_URL" ]; then \
		echo "REDIS_URL défini : démarrage d'un worker Celery et du planificateur (beat)."; \
		$(VENV)/bin/celery -A segur_funding worker -B -l info --concurrency 2 & \
	fi; \
	$(PY) manage.py runserver $(HOST):$(PORT)

# Without REDIS_URL there is no real worker to start, without a PostgreSQL DATABASE_URL no
# PostgreSQL-only test to run: those tests are deselected (.ci/run sets both and runs them all).
test: setup
	@MARKERS=""; \
	if [ -z "$$REDIS_URL" ]; then MARKERS="not worker"; fi; \
	case "$$DATABASE_URL" in postgres*) ;; *) MARKERS="$${MARKERS:+$$MARKERS and }not postgresql";; esac; \
	if [ -n "$$MARKERS" ]; then \
		$(VENV)/bin/pytest -n 2 --dist loadfile -m "$$MARKERS" $(PYTEST_ARGS); \
	else \
		$(VENV)/bin/pytest -n 2 --dist loadfile $(PYTEST_ARGS); \
	fi

lint:
	$(VENV)/bin/ruff check segur_funding tests bench

bench: setup
	$(PY) bench/run.py

worker:
	$(VENV)/bin/celery -A segur_funding worker -l info

beat:
	$(VENV)/bin/celery -A segur_funding beat -l info

clean:
	rm -rf var $(VENV)

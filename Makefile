# segur_funding — `make run` to serve, `make test` for the whole suite; `make setup` is idempotent.
# `make deploy` is the production sequence (production settings, never the demo): see SECURITY.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

STATIC_STAMP := var/static/.collected

.PHONY: setup run test lint bench worker beat system-deps clean deploy

setup: $(STAMP) system-deps $(STATIC_STAMP)
	@mkdir -p var/static var/private
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py load_reference_data
	$(PY) manage.py load_demo_data

# Static files with hashed names and compressed copies, whose manifest the production settings
# need (without it every page answers 500). Compressing takes minutes, so they are collected
# again only when our static/ files or the installed packages change.
$(STATIC_STAMP): $(STAMP) $(shell find static -type f 2>/dev/null)
	$(PY) manage.py collectstatic --noinput -v0
	@touch $@

# Production: collects static files (when they changed), checks the settings and that no demo
# data is in the database, migrates, loads the reference data (never the demo), asks for the first administrator in
# the terminal (or DJANGO_SUPERUSER_EMAIL / DJANGO_SUPERUSER_PASSWORD), then checks again.
# Replayable: every step is idempotent.
deploy: export DJANGO_SETTINGS_MODULE := segur_funding.settings.production
deploy: $(STAMP) $(STATIC_STAMP)
	@mkdir -p var/static var/private
	$(PY) manage.py check --deploy
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_reference_data
	$(PY) manage.py create_first_admin
	$(PY) manage.py check --deploy
	@echo "Déploiement prêt : démarrez gunicorn (segur_funding.wsgi), les workers Celery et un beat."

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

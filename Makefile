# Comptoir — every set-up step lives here. See README.md.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
export DJANGO_SETTINGS_MODULE ?= comptoir.settings.embedded
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run install migrate seed serve test test-fast test-sqlite test-postgres lint format bench system-deps clean messages

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || PYTHON=python3; \
	test -x $(PY) || $${PYTHON:-python3} -m venv $(VENV) || python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)
	@$(PY) manage.py compile_translations -v 0 >/dev/null

migrate: install
	$(PY) manage.py migrate --noinput -v 0

seed: migrate
	$(PY) manage.py seed_demo

run: seed
	$(PY) manage.py serve --host $(HOST) --port $(PORT)

# Debian packages the tests need (the machines run as root); a no-op when present.
system-deps:
	@bash scripts/system-deps.sh

# The whole suite: SQLite with browser tests, then PostgreSQL 15 + Redis (started and stopped
# here), then the production smoke test. ARGS go to pytest in every pass; TEST_WORKERS=N uses xdist.
test: install system-deps
	bash scripts/test-all.sh $(ARGS)

# The SQLite pass without browser tests.
test-fast: install
	bash scripts/test-sqlite.sh --no-browser $(ARGS)

# The PostgreSQL pass alone (starts its own PostgreSQL and Redis).
test-postgres: install system-deps
	bash scripts/test-postgres.sh $(ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy comptoir
	$(PY) manage.py makemigrations --check --dry-run -v 0
	DJANGO_SETTINGS_MODULE=comptoir.settings.test $(PY) manage.py check --fail-level WARNING

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Benchmarks under bench/ (all, or NAME=order_numbers); generated data cached in var/bench/.
bench: install
	$(PY) -m bench $(NAME)

clean:
	rm -rf var/test var/bench

# Extract the strings of every app into its own locale/fr (needs GNU gettext: apt-get install gettext).
messages: install
	for d in comptoir comptoir/*/; do \
	  if [ -d "$$d/locale" ]; then (cd $$d && $(CURDIR)/$(PY) $(CURDIR)/manage.py makemessages -l fr -l en --no-obsolete -v 0); fi; \
	done

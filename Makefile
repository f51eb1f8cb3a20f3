# Two commands for a newcomer: `make run` and `make test`. Each builds what is missing first.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_API ?= python3
VENV_API := .venv-api
API_BIN := $(VENV_API)/bin
API_READY := $(VENV_API)/.installed

TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres
export TEST_POSTGRES_URL

.PHONY: help run test test-sqlite test-postgresql lint db bench services clean

help:
	@echo "make run    construit ce qui manque puis démarre toute la pile (Ctrl-C arrête tout)"
	@echo "make test   construit ce qui manque puis lance tous les tests"
	@echo "make bench  mesure les performances (hors tests)"

# --- environments --------------------------------------------------------------------------

$(API_READY): pyproject.toml constraints/api.txt
	@$(PYTHON_API) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "L'API demande Python 3.11 ou plus récent ($(PYTHON_API))."; exit 1; }
	$(PYTHON_API) -m venv $(VENV_API)
	$(API_BIN)/pip install --quiet --upgrade pip
	$(API_BIN)/pip install --quiet -c constraints/api.txt -e '.[api,dev]'
	touch $@

# --- run -----------------------------------------------------------------------------------

# The embedded SQLite database, migrated, with the demo data (DEMO=1 is the default here only).
run: export DEMO ?= 1
db: export DEMO ?= 1
db: $(API_READY)
	$(API_BIN)/python -m api.core.migrate
	$(API_BIN)/python -m api.demo.seed

run: db
	@echo ""
	@echo "  API et pages :       http://127.0.0.1:8000"
	@echo "  Documentation API :  http://127.0.0.1:8000/docs"
	@echo "  Comptes de démonstration : assure1, assure2, assure3, agent, formateur, admin (mot de passe : demo)"
	@echo ""
	$(API_BIN)/honcho start -f Procfile

# --- tests ---------------------------------------------------------------------------------

test: lint test-sqlite test-postgresql

lint: $(API_READY)
	$(API_BIN)/ruff check .
	$(API_BIN)/ruff format --check .
	$(API_BIN)/mypy

test-sqlite: $(API_READY)
	TEST_DATABASE=sqlite $(API_BIN)/python -m pytest

test-postgresql: $(API_READY) services
	TEST_DATABASE=postgresql $(API_BIN)/python -m pytest

services:
	@scripts/ensure-services.sh

# --- benchmarks ----------------------------------------------------------------------------

bench: $(API_READY) services
	$(API_BIN)/python -m bench.api_bench --backend both --claims 1000000

clean:
	rm -rf $(VENV_API) var .pytest_cache .mypy_cache .ruff_cache

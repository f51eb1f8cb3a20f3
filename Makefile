# Two commands for a newcomer: `make run` and `make test`. Each builds what is missing first.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_API ?= python3
VENV_API := .venv-api
API_BIN := $(VENV_API)/bin
API_READY := $(VENV_API)/.installed

VENV_BOT := .venv-bot
BOT_BIN := $(VENV_BOT)/bin
BOT_READY := $(VENV_BOT)/.installed
MODEL := models/vigilance.tar.gz
# The assistant's code is imported from the project folder (custom components, actions).
BOT_ENV := PYTHONPATH=$(CURDIR)

TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres
export TEST_POSTGRES_URL
# Rasa must not phone home (telemetry, error reports): nothing leaves this machine.
export RASA_TELEMETRY_ENABLED := false

.PHONY: help run test test-sqlite test-postgresql test-bot test-widget test-trainer test-cluster lint db train \
	bench services browser vendor clean cluster cluster-status cluster-stop nginx

help:
	@echo "make run    construit ce qui manque puis démarre toute la pile (Ctrl-C arrête tout)"
	@echo "make test   construit ce qui manque puis lance tous les tests"
	@echo "make train  entraîne le modèle de l'assistant (fait par run et test s'il manque)"
	@echo "make bench  mesure les performances (hors tests)"
	@echo "make cluster         démarre la topologie de production sur cette machine (répliques, nginx)"
	@echo "make cluster-status  un processus par ligne : type, adresse, pid, état"
	@echo "make cluster-stop    arrête la grappe"

# --- environments --------------------------------------------------------------------------

$(API_READY): pyproject.toml constraints/api.txt
	@$(PYTHON_API) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "L'API demande Python 3.11 ou plus récent ($(PYTHON_API))."; exit 1; }
	$(PYTHON_API) -m venv $(VENV_API)
	$(API_BIN)/pip install --quiet --upgrade pip
	$(API_BIN)/pip install --quiet -c constraints/api.txt -e '.[api,dev]'
	touch $@

# Rasa 3.6 needs Python 3.10; one resolver run installs Rasa, spaCy and its French model.
$(BOT_READY): pyproject.toml constraints/bot.txt
	$$(scripts/find-python310.sh) -m venv $(VENV_BOT)
	$(BOT_BIN)/pip install --quiet --upgrade pip "setuptools<70" wheel
	$(BOT_BIN)/pip install --quiet -c constraints/bot.txt -e '.[bot]'
	touch $@

# The assistant's model, trained again when its data, configuration or components change.
$(MODEL): $(BOT_READY) config.yml domain.yml $(wildcard data/*.yml) $(wildcard bot/components/*.py) \
		bot/french_dates.py $(wildcard bot/redaction/*.py) bot/text.py
	$(BOT_ENV) $(BOT_BIN)/rasa train --fixed-model-name vigilance --out models
	touch $@

train: $(MODEL)

# The chat widget's socket.io browser client, vendored from npm (never a CDN at run time).
# 4.x speaks Engine.IO 4, like python-socketio 5 in the bot environment.
SOCKETIO_CLIENT := 4.8.1
VENDOR_SOCKETIO := api/web/static/vendor/socket.io.min.js

$(VENDOR_SOCKETIO): scripts/vendor-socketio.sh
	scripts/vendor-socketio.sh $(SOCKETIO_CLIENT) $@

# Swagger UI's assets for /docs, vendored from npm the same way (the page allows only 'self').
SWAGGER_UI := 5.35.0
VENDOR_SWAGGER := api/web/static/vendor/swagger-ui/swagger-ui-bundle.js

$(VENDOR_SWAGGER): scripts/vendor-swagger.sh
	scripts/vendor-swagger.sh $(SWAGGER_UI) $(dir $@)

# axe-core, the accessibility rules engine the browser tests inject in each page (tests only:
# tests/vendor/ is never served). Vendored from npm the same way.
AXE_CORE := 4.14.1
VENDOR_AXE := tests/vendor/axe.min.js

$(VENDOR_AXE): scripts/vendor-axe.sh
	scripts/vendor-axe.sh $(AXE_CORE) $@

vendor: $(VENDOR_SOCKETIO) $(VENDOR_SWAGGER) $(VENDOR_AXE)

# --- run -----------------------------------------------------------------------------------

# The embedded SQLite database, migrated, with the demo data (DEMO=1 is the default here only).
run: export DEMO ?= 1
db: export DEMO ?= 1
db: $(API_READY)
	$(API_BIN)/python -m api.core.migrate
	$(API_BIN)/python -m api.demo.seed

# Emails go to SMTP_HOST (environment or .env). Without it, `make run` also starts a local sink
# (SMTP on 127.0.0.1:1025, messages readable on http://127.0.0.1:8025) and sends there.
SMTP_HOST ?= $(shell sed -n 's/^[[:space:]]*SMTP_HOST=//p' .env 2>/dev/null | tail -n 1)
ifeq ($(strip $(SMTP_HOST)),)
run: export SMTP_HOST := 127.0.0.1
run: export SMTP_PORT := 1025
run: export SMTP_TLS := none
RUN_MAIL := Courriels envoyés :  http://127.0.0.1:8025 (boîte de réception locale)
RUN_OPTIONS :=
else
RUN_MAIL := Courriels envoyés par le serveur SMTP $(SMTP_HOST)
RUN_OPTIONS := -c mailsink=0
endif

# Every process shares the token secret (the public demo key under DEMO=1, unless set).
run: export SECRET_KEY ?= $(if $(filter 1,$(DEMO)),$(shell $(API_BIN)/python -c \
	'from api.core.config import DEMO_SECRET_KEY; print(DEMO_SECRET_KEY)'))
run: export RASA_AUTH_TOKEN ?= $(shell $(API_BIN)/python -c 'import secrets; print(secrets.token_hex(24))')
# The assistant's keys (contract/tokens.py): under DEMO=1, derived from the demo's secret unless
# set; the action server's token is drawn at each start.
run: export ASSISTANT_CHANNEL_KEY ?= $(if $(filter 1,$(DEMO)),$(shell $(API_BIN)/python -c \
	'import sys; from contract.tokens import derive_key; print(derive_key(sys.argv[1], "assistant-channel"))' \
	'$(SECRET_KEY)'))
run: export ASSISTANT_SERVICE_KEY ?= $(if $(filter 1,$(DEMO)),$(shell $(API_BIN)/python -c \
	'import sys; from contract.tokens import derive_key; print(derive_key(sys.argv[1], "assistant-service"))' \
	'$(SECRET_KEY)'))
run: export ACTION_SERVER_TOKEN ?= $(shell $(API_BIN)/python -c 'import secrets; print(secrets.token_hex(24))')
run: export API_URL ?= http://127.0.0.1:8000
run: export ACTION_SERVER_URL ?= http://127.0.0.1:5055/webhook
run: export TRACKER_STORE_URL ?= sqlite:///$(CURDIR)/var/tracker.db
run: export PYTHONPATH := $(CURDIR)
run: export SANIC_HOST := 127.0.0.1

run: db $(MODEL) vendor
	@echo ""
	@echo "  API et pages :       http://127.0.0.1:8000"
	@echo "  Documentation API :  http://127.0.0.1:8000/docs"
	@echo "  Assistant (Rasa) :   http://127.0.0.1:5005/webhooks/rest/webhook, actions sur 127.0.0.1:5055"
	@echo "  $(RUN_MAIL)"
	@echo "  Comptes de démonstration : assure1, assure2, assure3, agent, formateur, admin (mot de passe : demo)"
	@echo ""
	$(API_BIN)/honcho start -f Procfile $(RUN_OPTIONS)

# --- tests ---------------------------------------------------------------------------------

test: lint test-sqlite test-postgresql test-bot test-widget test-trainer test-cluster

# mypy twice: the API's code in its environment ([tool.mypy]), the assistant's in its own, with
# Rasa installed (mypy-bot.ini: bot/, actions/, contract/, tests/bot, tests/contract and the
# benchmarks that drive Rasa).
lint: $(API_READY) $(BOT_READY)
	$(API_BIN)/ruff check .
	$(API_BIN)/ruff format --check .
	$(API_BIN)/mypy
	$(BOT_BIN)/mypy --config-file mypy-bot.ini

# Some checks use the assistant's environment, nginx, Redis and RabbitMQ: all are made ready first,
# or those tests would only ever be skipped.
test-sqlite: $(API_READY) $(BOT_READY) services browser vendor nginx
	TEST_DATABASE=sqlite $(API_BIN)/python -m pytest --ignore=tests/bot --ignore=tests/widget \
		--ignore=tests/trainer --ignore=tests/cluster

test-postgresql: $(API_READY) $(BOT_READY) services browser vendor nginx
	TEST_DATABASE=postgresql $(API_BIN)/python -m pytest --ignore=tests/bot --ignore=tests/widget \
		--ignore=tests/trainer --ignore=tests/cluster

# The assistant: its data, its conversation tests, then its Python tests (bot environment;
# they start the real API from the API environment) and the contract's, which the API's runs
# above run too (tests/contract).
test-bot: $(BOT_READY) $(MODEL) $(API_READY)
	$(BOT_ENV) $(BOT_BIN)/rasa data validate --fail-on-warnings
	$(BOT_ENV) $(BOT_BIN)/rasa test core --model $(MODEL) --stories tests/test_stories.yml \
		--fail-on-prediction-errors --out var/test-core
	$(BOT_ENV) $(BOT_BIN)/python -m pytest --confcutdir=tests/bot tests/bot tests/contract

# The account page and its chat widget in Chromium, against the whole stack (API, action server,
# Rasa started as processes by the test, from the API environment).
test-widget: $(API_READY) $(BOT_READY) $(MODEL) browser vendor
	$(API_BIN)/python -m pytest --confcutdir=tests/widget tests/widget

# The trainers' loop against the real assistant: Rasa's validation, a real conversation in the
# inbox, then annotate → train → evaluate → activate on a running Rasa server (a few minutes).
# pytest's exit code 5 (no test collected) fails the target like any other.
test-trainer: $(API_READY) $(BOT_READY) $(MODEL)
	$(API_BIN)/python -m pytest --confcutdir=tests/trainer tests/trainer

# The whole stack under faults (backends cut off and back), then the production topology on two
# hosts of its own (network namespaces, root), through nginx, with a replica killed mid-run.
test-cluster: $(API_READY) $(BOT_READY) $(MODEL) services nginx
	$(API_BIN)/python -m pytest --confcutdir=tests/cluster tests/cluster

services:
	@scripts/ensure-services.sh postgresql redis rabbitmq

# Debian's nginx (the cluster's load balancer) and its stream module (the cluster test).
nginx:
	@scripts/ensure-nginx.sh

# --- the production topology on this machine ------------------------------------------------

# RASA_REPLICAS and ACTION_REPLICAS (2 each by default) are read by `python -m cluster`.
cluster: $(API_READY) $(BOT_READY) $(MODEL) vendor services nginx
	$(API_BIN)/python -m cluster up

cluster-status: $(API_READY)
	@$(API_BIN)/python -m cluster status

cluster-stop: $(API_READY)
	@$(API_BIN)/python -m cluster stop

# Debian's Chromium, for the browser tests (Playwright drives it; it downloads no browser).
browser:
	@scripts/ensure-browser.sh

# --- benchmarks ----------------------------------------------------------------------------

bench: $(API_READY) $(BOT_READY) $(MODEL) vendor services nginx
	$(API_BIN)/python -m bench.api_bench --backend both --claims 1000000
	$(API_BIN)/python -m bench.console_bench --backend both --reports 100000
	$(API_BIN)/python -m bench.agent_queue_bench --reports 1000000
	$(BOT_ENV) $(BOT_BIN)/python -m bench.assistant_bench
	$(BOT_ENV) $(BOT_BIN)/python -m bench.conversation_bench
	$(BOT_ENV) $(BOT_BIN)/python -m bench.long_conversation_bench
	$(BOT_ENV) $(BOT_BIN)/python -m bench.lock_bench
	$(API_BIN)/python -m bench.events_bench
	$(API_BIN)/python -m bench.trainer_inbox_bench
	$(API_BIN)/python -m bench.cluster_bench

clean:
	rm -rf $(VENV_API) $(VENV_BOT) models var .rasa .pytest_cache .mypy_cache .ruff_cache \
		api/web/static/vendor

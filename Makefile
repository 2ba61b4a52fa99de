# The two commands a newcomer needs: `make run` and `make test` (also `make bench`).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app server
HOST ?= 127.0.0.1
PORT ?= 5000
KIOSK_PORT ?= 8800
# Codes carry the deployment's address; for the local demo that is wherever `make run` serves.
WENMING_BASE_URL ?= http://$(HOST):$(PORT)
export WENMING_BASE_URL
PYTEST_ARGS ?= -n 2
# The suite runs a second time with query recording and SQL echo on (TEST_INSTRUMENTED=1), so
# that nothing in the product can break standard instrumentation silently; INSTRUMENTED=0 skips
# that pass locally. The second pass leaves out the browser tests: they drive the same views
# through Chromium that the client tests call directly, and they are half the suite's time.
INSTRUMENTED ?= 1
PO := $(wildcard server/translations/*/LC_MESSAGES/messages.po)
MO := $(PO:.po=.mo)

.PHONY: run test bench lint sysdeps sysdeps-test translations

run: sysdeps $(VENV)/.run-installed $(MO)
	$(FLASK) db upgrade
	$(FLASK) demo load
	@echo
	@echo "  Dashboard:   http://$(HOST):$(PORT)/admin/"
	@echo "  Demo kiosk:  http://$(HOST):$(KIOSK_PORT)/   (区图书馆, fed by a replay of demo cards)"
	@echo "  Phone page:  http://$(HOST):$(PORT)/v/   volunteer ZH2024000001"
	@echo "  API (docs):  http://$(HOST):$(PORT)/api/v1/openapi.json"
	@echo "  Demo logins: admin / yuanba / yuanba-shequ   password: zhaohua-demo-2024"
	@echo
	$(PY) scripts/kiosk_demo.py --server http://$(HOST):$(PORT) --port $(KIOSK_PORT) \
	  --data-dir instance/kiosk-demo & \
	exec $(VENV)/bin/gunicorn --workers 2 --threads 4 --bind $(HOST):$(PORT) \
	  --access-logfile - server.wsgi:app

test: sysdeps-test $(VENV)/.dev-installed $(MO)
	$(VENV)/bin/pytest $(PYTEST_ARGS)
	@if [ "$(INSTRUMENTED)" = 1 ]; then \
	  echo "== again with SQLALCHEMY_RECORD_QUERIES and SQL echo on"; \
	  TEST_INSTRUMENTED=1 $(VENV)/bin/pytest $(PYTEST_ARGS) -m "not browser"; fi

bench: sysdeps-test $(VENV)/.dev-installed $(MO)
	@set -e; for script in tests/bench/bench_*.py; do \
	  echo "== $$script"; $(PY) $$script; echo; done

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check server qr kiosk tests

sysdeps:
	@scripts/sysdeps.sh
	@scripts/redis.sh

sysdeps-test:
	@scripts/sysdeps.sh --test
	@scripts/redis.sh

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ needed"'
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip

$(VENV)/.run-installed: requirements.txt | $(VENV)/bin/python
	$(VENV)/bin/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(VENV)/bin/pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.run-installed

%.mo: %.po $(VENV)/.run-installed
	$(VENV)/bin/pybabel -q compile -i $< -o $@

translations: $(VENV)/.run-installed
	scripts/i18n.sh $(ZH)

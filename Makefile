# Two commands do all set-up on a fresh machine: `make run` and `make test`.
# Each installs what it needs: uv (from PyPI) when missing, the locked virtual environment, and for the
# tests Debian's Chromium when /usr/bin/chromium is missing and apt is there.

SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test lint format browser install uv clean

uv:
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check uv

install: uv
	@$(UV) sync --locked --quiet

run: install
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true $(PY) manage.py runserver $(HOST):$(PORT)

browser:
	@if [ ! -x /usr/bin/chromium ]; then \
		if command -v apt-get >/dev/null; then \
			echo "Installing Debian's chromium for the browser tests"; \
			$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; \
		else echo "No /usr/bin/chromium and no apt-get: the browser tests will fail" >&2; fi; \
	fi

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	SECRET_KEY=type-checking-only $(VENV)/bin/mypy decision

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: install browser lint
	SECRET_KEY=tests-only DEBUG=false $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest --cov --cov-report=term

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .mypy_cache .ruff_cache .coverage htmlcov

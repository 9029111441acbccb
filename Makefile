# Two commands do all set-up on a fresh machine: `make run` and `make test`.
# Each installs what it needs: uv (from PyPI) when missing, the locked virtual environment, and for the
# tests Debian's Chromium and nginx when they are missing and apt is there.

SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run serve serve-proxy proxy test coverage test-postgres lint format browser install uv clean

uv:
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check uv

install: uv
	@$(UV) sync --locked --quiet

run: install
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true $(PY) manage.py runserver $(HOST):$(PORT)

# The production stack on loopback: DEBUG off, static files collected and served compressed by whitenoise,
# gunicorn with several workers (its settings in gunicorn.conf.py). A secret key is made once and kept in
# .secret_key (not committed). SITE_URL is the address links point to: gunicorn's own, or the proxy's.
WORKERS ?= 4
SERVE_ENV = DEBUG=false HTTPS=$${HTTPS:-false} ALLOWED_HOSTS=$${ALLOWED_HOSTS:-127.0.0.1,localhost} \
	SECRET_KEY="$${SECRET_KEY:-$$(cat .secret_key)}"
SITE_URL ?= http://$(HOST):$(PORT)

.secret_key:
	@umask 077 && $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

serve: install .secret_key
	$(SERVE_ENV) $(PY) manage.py collectstatic --noinput -v0
	$(SERVE_ENV) $(PY) manage.py migrate --noinput
	$(SERVE_ENV) SITE_URL=$(SITE_URL) $(VENV)/bin/gunicorn decision.wsgi --bind $(HOST):$(PORT) \
		--workers $(WORKERS) --access-logfile - --forwarded-allow-ips "$${FORWARDED_ALLOW_IPS:-127.0.0.1}"

# The production stack behind the shipped proxy: nginx (deploy/nginx.conf, run by deploy/serve-nginx) on
# 127.0.0.1:8080 in front of gunicorn on 127.0.0.1:8000, which trusts that one hop for client addresses.
# Stops both on Ctrl+C.
PROXY_SITE_URL ?= http://127.0.0.1:8080

proxy:
	@if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then \
		echo "Installing Debian's nginx"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq nginx >/dev/null; \
	fi

serve-proxy: install .secret_key proxy
	$(SERVE_ENV) $(PY) manage.py collectstatic --noinput -v0
	$(SERVE_ENV) $(PY) manage.py migrate --noinput
	$(SERVE_ENV) SITE_URL=$(PROXY_SITE_URL) TRUST_PROXY_HEADERS=true TRUSTED_PROXY_HOPS=1 \
		$(VENV)/bin/gunicorn decision.wsgi --bind 127.0.0.1:8000 --workers $(WORKERS) --forwarded-allow-ips 127.0.0.1 & \
	trap "kill $$! 2>/dev/null" EXIT INT TERM; \
	deploy/serve-nginx 8080 8000

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

test: install browser proxy lint
	SECRET_KEY=tests-only DEBUG=false $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest -n auto --dist worksteal --cov --cov-report=term

# The same suite measuring branches as well as lines (Python 3.13's sys.monitoring cannot see branches, so this
# uses coverage's older tracer: several times slower on the engine's tests).
coverage: install browser proxy
	COVERAGE_CORE=ctrace $(VENV)/bin/pytest -n auto --dist worksteal --cov --cov-branch --cov-report=term

# The whole suite again against a real PostgreSQL server on loopback (installed and started when missing).
test-postgres: install browser proxy
	DATABASE_URL="$$(bash .ci/postgres.sh)" $(VENV)/bin/pytest -n auto --dist worksteal

clean:
	rm -rf $(VENV) staticfiles .secret_key .nginx .pytest_cache .mypy_cache .ruff_cache .coverage htmlcov

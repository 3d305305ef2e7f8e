# CSC Budget Monitor. The two commands: `make run` and `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export CSC_PGDATA ?= $(CURDIR)/.pgdata

.PHONY: run test install lint imports format migrate backup restore bench load clean

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/build/app.css: static/src/app.scss node_modules/.installed
	npx --no-install sass --pkg-importer=node --style=compressed --no-source-map $< $@

install: $(VENV)/.installed node_modules/.installed static/build/app.css

.secret_key:
	$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@
	chmod 600 $@

migrate: install
	$(PY) manage.py migrate --no-input

# The demo: embedded PostgreSQL in .pgdata/, the report's figures, served on 127.0.0.1:$(PORT).
run: install .secret_key
	DEBUG=true SECRET_KEY="$$(cat .secret_key)" $(PY) manage.py migrate --no-input
	DEBUG=true SECRET_KEY="$$(cat .secret_key)" $(PY) manage.py load_demo
	DEBUG=true SECRET_KEY="$$(cat .secret_key)" $(PY) manage.py runserver --noreload 127.0.0.1:$(PORT)

# Database backup and restore (pg_dump custom format). Uses the demo settings unless DEBUG and
# SECRET_KEY are set in the environment, as they are in production.
APP_ENV = DEBUG="$${DEBUG:-true}" SECRET_KEY="$${SECRET_KEY:-$$(cat .secret_key)}"

backup: install .secret_key
	$(APP_ENV) $(PY) manage.py backup_db $(if $(OUT),--out $(OUT))

restore: install .secret_key
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/csc-....dump"; exit 2; }
	$(APP_ENV) $(PY) manage.py restore_db "$(FILE)" $(if $(YES),--yes)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# The layers of docs/architecture.md, as import-linter contracts in pyproject.toml.
imports: install
	$(VENV)/bin/lint-imports

# The contracts and the suite both run and both report; either failing fails the target.
test: install lint
	@rc=0; \
	$(VENV)/bin/lint-imports || rc=$$?; \
	$(PY) -m pytest || rc=$$?; \
	exit $$rc

# Benchmarks on their own embedded PostgreSQL in .pgdata-bench/ (see bench/run.py).
bench: install
	$(PY) bench/run.py

# Load test: 50 readers and 5 finance officers against gunicorn on 127.0.0.1 (LOAD_SECONDS=60).
load: install
	$(PY) bench/load.py

clean:
	rm -rf $(VENV) node_modules static/build staticfiles

# 职业院校人工智能素养能力图谱 — two commands on a fresh machine: `make serve`, `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Pinned, hash-checked installs (make lock writes them from pyproject.toml with uv).
LOCK := requirements.lock
DEV_LOCK := requirements-dev.lock
UV_VERSION := 0.13.9
UV := $(VENV)-uv/bin/uv
LOCK_FLAGS := --universal --python-version 3.11 --generate-hashes --quiet \
	--custom-compile-command "make lock"
LINT_NODE := tools/cypher-lint/node_modules/.package-lock.json
SCHEMA_LINT_NODE := tools/schema-lint/node_modules/.package-lock.json
AUDIT_NODE := tools/http-audit/node_modules/.package-lock.json
WEB_NODE := web/node_modules/.package-lock.json
WEB_APP := service/static/app/index.html
WEB_SOURCES := $(wildcard web/src/*.ts web/src/*.css web/src/views/*.ts) web/index.html \
	web/vite.config.ts web/tsconfig.json web/package.json $(wildcard web/scripts/*.mjs)

# Tests on every core; a module stays on one worker (tests/conftest.py). PYTEST_WORKERS= runs
# them in one process.
PYTEST_WORKERS ?= -n auto --dist loadfile --no-loadscope-reorder

.PHONY: serve test lint typecheck load bench bench-smoke clean schema web screenshots lock

# Every package at its locked version and hash; the checkout itself without dependencies.
$(STAMP): pyproject.toml $(DEV_LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r $(DEV_LOCK)
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# After changing pyproject's dependencies: keeps every other pin (make lock UPGRADE=--upgrade
# moves them all to the newest releases that fit).
$(UV):
	$(PYTHON) -m venv $(VENV)-uv
	$(VENV)-uv/bin/pip install --quiet uv==$(UV_VERSION)

lock: $(UV)
	$(UV) pip compile pyproject.toml $(LOCK_FLAGS) $(UPGRADE) -o $(LOCK)
	$(UV) pip compile pyproject.toml --extra dev $(LOCK_FLAGS) $(UPGRADE) -o $(DEV_LOCK)

$(LINT_NODE): tools/cypher-lint/package.json tools/cypher-lint/package-lock.json
	npm ci --prefix tools/cypher-lint --no-audit --no-fund --loglevel=error

$(SCHEMA_LINT_NODE): tools/schema-lint/package.json tools/schema-lint/package-lock.json
	npm ci --prefix tools/schema-lint --no-audit --no-fund --loglevel=error

$(AUDIT_NODE): tools/http-audit/package.json tools/http-audit/package-lock.json
	npm ci --prefix tools/http-audit --no-audit --no-fund --loglevel=error

$(WEB_NODE): web/package.json web/package-lock.json
	npm ci --prefix web --no-audit --no-fund --loglevel=error

# The web app (web/) is built into the Python package, which serves it at /.
$(WEB_APP): $(WEB_NODE) $(WEB_SOURCES)
	npm run --prefix web --silent build

web: $(WEB_APP)

load: $(STAMP)
	$(BIN)/competency-graph load

# An empty store gets the fictional demo students, so every view has something to show.
serve: $(STAMP) load $(WEB_APP)
	$(BIN)/competency-graph demo --if-empty
	$(BIN)/competency-graph serve

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy

schema: $(STAMP)
	$(BIN)/python -m schema.printer > schema.graphql

test: $(STAMP) $(LINT_NODE) $(SCHEMA_LINT_NODE) $(AUDIT_NODE) $(WEB_APP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -q --durations=30 --durations-min=1 $(PYTEST_WORKERS)

# The README's pictures: the browser tests, saving a screenshot of every view.
screenshots: $(STAMP) $(WEB_APP)
	CG_SHOTS=docs/screenshots $(BIN)/python -m pytest -q tests/test_web_e2e.py

bench-smoke: $(STAMP)
	$(BIN)/python -m bench --students 200 --results-per-student 10 --quick

bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(VENV)-uv tools/cypher-lint/node_modules tools/schema-lint/node_modules tools/http-audit/node_modules web/node_modules \
		service/static/app data

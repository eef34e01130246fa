# 职业院校人工智能素养能力图谱 — two commands on a fresh machine: `make serve`, `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LINT_NODE := tools/cypher-lint/node_modules/.package-lock.json
AUDIT_NODE := tools/http-audit/node_modules/.package-lock.json

.PHONY: serve test lint typecheck load bench bench-smoke clean schema

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(LINT_NODE): tools/cypher-lint/package.json tools/cypher-lint/package-lock.json
	npm ci --prefix tools/cypher-lint --no-audit --no-fund --loglevel=error

$(AUDIT_NODE): tools/http-audit/package.json tools/http-audit/package-lock.json
	npm ci --prefix tools/http-audit --no-audit --no-fund --loglevel=error

load: $(STAMP)
	$(BIN)/competency-graph load

serve: $(STAMP) load
	$(BIN)/competency-graph serve

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy

schema: $(STAMP)
	$(BIN)/python -m schema.printer > schema.graphql

test: $(STAMP) $(LINT_NODE) $(AUDIT_NODE)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

bench-smoke: $(STAMP)
	$(BIN)/python -m bench --students 200 --results-per-student 10 --quick

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) tools/cypher-lint/node_modules tools/http-audit/node_modules data

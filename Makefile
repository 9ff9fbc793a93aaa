# The two commands: `make demo` and `make test`. Both set up everything they need.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test install servers lint typecheck unit render-check clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

# Real servers and tools the tests use (Prometheus, Alertmanager, PostgreSQL,
# Unleash, OpenBao, Trivy): each script installs its part only when missing.
servers: install
	@for script in scripts/install-*.sh; do \
	  echo "== $$script"; VENV=$(VENV) bash $$script || exit 1; \
	done

lint: install
	$(VENV)/bin/ruff check zwobs tests bench examples
	$(VENV)/bin/ruff format --check zwobs

typecheck: install
	$(VENV)/bin/mypy --strict zwobs

# The committed alerts/, dashboards/, rollouts/ and policies/ match examples/catalog.yaml.
render-check: install
	$(VENV)/bin/zwobs render examples/catalog.yaml --out . --check

# Unit tests only: no server needed.
unit: install
	$(PY) -m pytest -q -m "not integration"

test: servers lint typecheck render-check
	$(PY) -m pytest -q -p no:cacheprovider

demo: install
	$(PY) -m examples.demo

clean:
	rm -rf $(VENV) .cache out

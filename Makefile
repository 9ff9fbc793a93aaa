# The two commands: `make demo` and `make test`. Both set up everything they need.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test install servers lint typecheck unit render-check matrix clean

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

# Every supported Python: the unit suite, then the whole packaging test (sdist and wheel,
# every extra) on that Python alone. `make test` runs the packaging test's fast subset on
# the other Pythons; this is the full run (per Python about 3 min CPU for the unit suite and
# 1 min for the packaging test; 13-15 minutes of wall time on a busy shared 2-core machine).
MATRIX     ?= 3.11 3.12 3.13
PYENV_ROOT ?= $(HOME)/.pyenv
matrix: servers
	@for v in $(MATRIX); do \
	  py=$$(ls -d $(PYENV_ROOT)/versions/$$v.*/bin/python$$v 2>/dev/null | sort -V | tail -n1); \
	  py=$${py:-$$(command -v python$$v)}; \
	  if [ -z "$$py" ]; then echo "Python $$v not found: pyenv install $$v"; exit 1; fi; \
	  venv=.cache/matrix/py$$v; echo "== Python $$v ($$py)"; \
	  [ -x $$venv/bin/python ] || $$py -m venv $$venv || exit 1; \
	  $$venv/bin/python -m pip install --quiet -e '.[dev]' || exit 1; \
	  $$venv/bin/python -m pytest -q -p no:cacheprovider -m "not integration" || exit 1; \
	  ZWOBS_PACKAGING_PYTHONS= $$venv/bin/python -m pytest -q -p no:cacheprovider tests/packaging \
	    || exit 1; \
	done

demo: install
	$(PY) -m examples.demo

clean:
	rm -rf $(VENV) .cache out build *.egg-info

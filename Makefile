# Quick start: `make run` serves the suite, `make test` runs every test.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
SAHAKAR_DATA_DIR ?= ./var
export SAHAKAR_DATA_DIR HOST PORT

# The production leg of the tests (PostgreSQL + Redis on this machine).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/sahakar
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0

.PHONY: run test setup install lint test-embedded test-production

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

setup: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py compilemessages --ignore=.venv --ignore=var -v 0
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) manage.py seed_demo

run: setup
	$(PY) manage.py serve --host $(HOST) --port $(PORT)

# The two legs run side by side: each keeps about one core busy (browsers, Daphne and
# media peers wait on each other), so together they finish in about the time of the longer.
test: setup
	$(MAKE) --no-print-directory --output-sync=target -j2 test-embedded test-production

test-embedded:
	$(PY) -m pytest $(PYTEST_ARGS)

test-production:
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) \
		$(PY) -m pytest -m "not browser" $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

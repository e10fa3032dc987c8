# Two commands do all set-up: `make run` and `make test`.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test pytest lint bench install messages clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# setuptools' note that an editable install finds the package through a path hook is for
# packagers, not for someone starting the CRM: it is the only warning filtered out here.
$(STAMP): pyproject.toml | $(BIN)/python
	PYTHONWARNINGS="ignore:Editable installation" $(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP) messages

# Compile the one translation catalogue, crm/locale (pure Python through Babel; no gettext
# tools needed). pybabel stops on a broken catalogue.
messages: $(STAMP)
	@for po in crm/locale/*/LC_MESSAGES/django.po; do \
		$(BIN)/pybabel -q compile -i "$$po" -o "$${po%.po}.mo" || exit 1; \
	done

# One process serves the web and runs the background work (tasks, reminders, the daily digest);
# the migration says it runs, not each of its steps.
run: install
	@echo "数据库迁移 / migrating the database…"
	@$(BIN)/crm migrate --verbosity 0
	@$(BIN)/crm demo --if-empty
	@$(BIN)/crm serve --host $(HOST) --port $(PORT)

test: install lint pytest

# The whole suite (browser tests included) on pytest-xdist workers, in random order
# (pytest-randomly: the header says the seed; PYTEST_ARGS=--randomly-seed=N repeats that
# order), with coverage of the crm package and its floor (pyproject.toml).
WORKERS ?= auto
# COV= leaves coverage out (CI's second pass, on PostgreSQL: the floor is SQLite's, the weaker).
COV ?= --cov
pytest: install
	$(BIN)/python -m pytest -n $(WORKERS) $(COV) $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy crm config bench

# On SQLite the benchmark gets its own data folder (data/bench), not the demo's database;
# with DATABASE_URL it uses that database (give it one of its own).
bench: install
	CRM_DATA_DIR="$${CRM_DATA_DIR:-$(CURDIR)/data/bench}" $(BIN)/crm bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .coverage .coverage.* htmlcov

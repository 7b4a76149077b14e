# Thesis Tracker — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# Packages held to mypy's strict checks; add a package here to hold it to the same bar.
MYPY_STRICT ?= tracker/thesis

.PHONY: install run test lint demo schedule validate bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install the project with its test tools

run: install  ## open the dashboard (live data when Yahoo is reachable, else the labelled sample)
	$(BIN)/tracker dashboard --auto

demo: install  ## open the dashboard on the bundled sample data
	$(BIN)/tracker demo

test: install lint  ## static checks, then the whole test suite
	$(BIN)/python -m pytest

lint: install  ## ruff; mypy --strict on MYPY_STRICT; import contracts when pyproject.toml has [tool.importlinter]
	$(BIN)/ruff check tracker tests benchmarks app.py
	$(BIN)/mypy $(MYPY_STRICT)
	if grep -q '^\[tool\.importlinter\]' pyproject.toml; then $(BIN)/lint-imports --no-logo; fi

validate: install  ## check the thesis files
	$(BIN)/tracker validate

schedule: install  ## run the daily refresh scheduler in the foreground
	$(BIN)/tracker schedule

bench: install  ## run the benchmarks and print measured ratios
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .mypy_cache .import_linter_cache build *.egg-info

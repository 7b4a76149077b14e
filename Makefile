# Thesis Tracker — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# Exact versions of every dependency, runtime and the dev extra; `make lock` writes it.
LOCK   := requirements.lock
# Packages held to mypy's strict checks; add a package here to hold it to the same bar.
MYPY_STRICT ?= tracker/thesis tracker/portfolio tracker/conditions tracker/journal tracker/attention

.PHONY: install run test lint lock demo schedule validate bench clean

$(STAMP): pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install the locked versions, the project and its test tools

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

# Keeps the versions already locked where pyproject.toml still allows them;
# `make lock UPGRADE=1` moves everything to the newest allowed versions.
lock: install  ## regenerate requirements.lock from pyproject.toml
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --extra dev --strip-extras --allow-unsafe \
	  --no-emit-index-url --no-emit-find-links --no-emit-trusted-host $(if $(UPGRADE),--upgrade) \
	  --output-file $(LOCK) pyproject.toml

validate: install  ## check the thesis files
	$(BIN)/tracker validate

schedule: install  ## run the daily refresh scheduler in the foreground
	$(BIN)/tracker schedule

bench: install  ## run the benchmarks and print measured ratios
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .mypy_cache .import_linter_cache build *.egg-info

# The README's two commands bootstrap everything on a fresh machine:
#   make demo   create .venv, install Plenary, run the default scenario into out/
#   make test   create .venv, install Plenary with its dev extras, run the test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SCENARIO ?= scenarios/reaim_2023.yaml

.PHONY: demo test bench lint schema docs cascade-fit clean outcomes browser notebooks

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed $(VENV)/.dashboard-assets $(VENV)/.boundaries
	$(BIN)/plenary run $(SCENARIO) --out out/$(basename $(notdir $(SCENARIO)))

# The dashboard (plenary serve) needs Solara's front-end files in the venv, fetched from the npm
# registry at set-up (make demo, make test): no CDN at run time. Its browser test also needs
# Debian's chromium (CI runs as root).
$(VENV)/.dashboard-assets: | $(VENV)/.installed
	$(BIN)/python -m analysis.dashboard_assets
	touch $@

# Natural Earth's country boundaries for map.png, from the npm registry's world-atlas package,
# fetched at set-up (never at run time) into $(VENV)/share/plenary/world-atlas.
$(VENV)/.boundaries: | $(VENV)/.installed
	$(BIN)/python -m analysis.boundaries
	touch $@

browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

test: $(VENV)/.installed-dev $(VENV)/.dashboard-assets $(VENV)/.boundaries browser
	$(BIN)/ruff check sim agents analysis tests bench
	$(BIN)/python -m pytest

# The tutorials with their outputs, as committed (tests/test_docs.py checks they are current).
notebooks: $(VENV)/.installed-dev
	$(BIN)/python -m analysis.notebooks

bench: $(VENV)/.installed
	$(BIN)/python bench/run_bench.py
	$(BIN)/python bench/growth.py
	$(BIN)/python bench/sweep_bench.py
	$(BIN)/python bench/plan_bench.py

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check sim agents analysis tests bench

# fit the campaign mechanics to the endorsement cascades (docs/levers.md), about 16 min on 2 cores
cascade-fit: $(VENV)/.installed
	$(BIN)/python -m analysis.cascade_fit --out docs

schema: $(VENV)/.installed
	$(BIN)/plenary schema

docs: schema
	$(BIN)/python -m analysis.reference

clean:
	rm -rf out .pytest_cache

outcomes: $(VENV)/.installed
	$(BIN)/python -m analysis.outcomes scenarios/*.yaml

# `make demo`, `make test`, `make bench`: each creates .venv first if needed.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.finemotion-installed
SHARED := $(abspath ../shared)
export NLTK_DATA ?= $(SHARED)/nltk_data
export HF_HUB_OFFLINE ?= 1
export TOKENIZERS_PARALLELISM ?= false

.PHONY: venv test test-all demo bench clean

venv: $(STAMP)

$(STAMP): setup.cfg pyproject.toml scripts/bootstrap_venv.sh
	bash scripts/bootstrap_venv.sh
	touch $@

test: venv
	$(PY) -m pytest -q

test-all: venv
	$(PY) -m pytest -q --runslow

demo: venv
	bash scripts/demo.sh

bench: venv
	$(PY) -m bench

clean:
	rm -rf $(VENV) demo_out .pytest_cache

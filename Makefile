# `make demo`, `make test`, `make bench`: each creates .venv first if needed, from requirements-cpu.lock.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.finemotion-installed
SHARED := $(abspath ../shared)
export NLTK_DATA ?= $(SHARED)/nltk_data
export HF_HUB_OFFLINE ?= 1
export TOKENIZERS_PARALLELISM ?= false

.PHONY: venv test test-all test-latest lock demo bench clean

venv: $(STAMP)

$(STAMP): setup.cfg pyproject.toml requirements-cpu.lock scripts/bootstrap_venv.sh
	bash scripts/bootstrap_venv.sh
	touch $@

# PYTHONSAFEPATH: the repository root is not on sys.path, so a test can only import the installed package.
test: venv
	PYTHONSAFEPATH=1 $(PY) -m pytest -q

test-all: venv
	PYTHONSAFEPATH=1 $(PY) -m pytest -q --runslow

# The tests against today's unpinned resolution (not in CI): drift shows up here before users meet it.
test-latest:
	rm -rf .venv-latest
	VENV=.venv-latest LOCK=none bash scripts/bootstrap_venv.sh
	PYTHONSAFEPATH=1 .venv-latest/bin/python -m pytest -q

# Re-resolve from scratch, run the tests on it, and only then rewrite requirements-cpu.lock.
lock:
	bash scripts/lock.sh

demo: venv
	bash scripts/demo.sh

bench: venv
	$(PY) -m bench

clean:
	rm -rf $(VENV) .venv-latest demo_out .pytest_cache

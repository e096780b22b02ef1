# AdaBelief claims: a verification suite.
#
#   make verdicts   build .venv, run every notebook in place, print the verdicts
#   make test       build .venv, run the unit tests, then nbval on the notebooks
#   make clean      remove .venv
#
# Only Python 3.11 and pip are needed; set PYTHON to choose the interpreter.

PYTHON ?= python3

VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
SANITIZE := $(VENV)/nbval-sanitize.cfg
NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))

# Run the kernels of this environment, with no platformdirs deprecation
# warning (tests treat warnings as errors), no debugger chatter, the inline
# backend of the notebooks and a fixed hash seed, so that reruns match.
export JUPYTER_PLATFORM_DIRS := 1
export JUPYTER_PREFER_ENV_PATH := 1
export PYDEVD_DISABLE_FILE_VALIDATION := 1
export PYTHONHASHSEED := 0
unexport MPLBACKEND

NBCONVERT_FLAGS := --to notebook --execute --inplace \
	--ExecutePreprocessor.kernel_name=python3 \
	--ExecutePreprocessor.timeout=1800 \
	--ExecutePreprocessor.record_timing=False

.DEFAULT_GOAL := verdicts
.PHONY: verdicts test venv clean

venv: $(STAMP)

# Re-run pip whenever pyproject.toml or the pinned versions change.
$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -c constraints.txt -e '.[notebooks,test]'
	touch $(STAMP)

# nbval compares every output of every cell but for object addresses such
# as "<... at 0x7f3a2c1d5e50>", which change from run to run.
$(SANITIZE): Makefile $(STAMP)
	printf '%s\n' '[object-address]' \
		'regex: at 0x[0-9a-fA-F]+' \
		'replace: at 0xADDRESS' > $(SANITIZE)

# The second pass merges consecutive stream outputs: how a kernel splits
# printed text into messages depends on timing, and must not show in files.
verdicts: $(STAMP)
ifneq ($(NOTEBOOKS),)
	$(BIN)/jupyter nbconvert $(NBCONVERT_FLAGS) $(NOTEBOOKS)
	$(BIN)/jupyter nbconvert --to notebook --inplace \
		--CoalesceStreamsPreprocessor.enabled=True $(NOTEBOOKS)
endif
	$(BIN)/python -m analysis.ledger

test: $(STAMP) $(SANITIZE)
	$(BIN)/pytest
ifneq ($(NOTEBOOKS),)
	$(BIN)/pytest --nbval --nbval-current-env \
		--nbval-sanitize-with $(SANITIZE) notebooks
endif

clean:
	rm -rf $(VENV)

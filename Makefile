PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DOCS_STAMP := $(VENV)/.docs-installed
LINT_PATHS := $(wildcard sklearn_norm tests benchmarks examples)

.PHONY: install test lint demo bench bench-torch docs docs-check test-torch fuzz clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)

# no -q: the header prints pytest-randomly's "Using --randomly-seed=N" to replay an order
test: lint
	SCIPY_ARRAY_API=1 $(BIN)/python -m pytest -n 2 --dist loadgroup tests

# The differential tests (tests/test_differential*.py) with many new hypothesis examples
# (the 'fuzz' profile in tests/conftest.py); KNOWN_BUGS=off exempts no known bug.
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz SCIPY_ARRAY_API=1 $(BIN)/python -m pytest -n 2 -q -p no:randomly \
		tests/test_differential.py tests/test_differential_functional.py

demo: $(STAMP)
	$(BIN)/python -m sklearn_norm.demo

$(DOCS_STAMP): $(STAMP) pyproject.toml
	$(BIN)/pip install --quiet -e ".[docs]"
	touch $(DOCS_STAMP)

# HTML in docs/_build/html; offline (the examples run, nothing is downloaded); warnings fail.
docs: $(DOCS_STAMP)
	MPLBACKEND=Agg $(BIN)/sphinx-build -W --keep-going -q -b html docs docs/_build/html
	@echo "docs: docs/_build/html/index.html"

# The built pages' formulas, rendered by headless Chromium with the network off.
docs-check: docs
	$(BIN)/python docs/check_math.py docs/_build/html

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_scalers.py $(BENCH_ARGS)
	$(BIN)/python benchmarks/bench_cli.py $(BENCH_CLI_ARGS)
	$(BIN)/python benchmarks/bench_quantile.py $(BENCH_QUANTILE_ARGS)
	$(BIN)/python benchmarks/bench_power.py $(BENCH_POWER_ARGS)
	$(BIN)/python benchmarks/bench_onnx.py $(ONNX_BENCH_ARGS)

# sklearn_norm on torch tensors against PyTorch's own operators (needs torch; see test-torch)
bench-torch: $(STAMP)
	SCIPY_ARRAY_API=1 $(BIN)/python benchmarks/bench_torch.py $(BENCH_ARGS)

test-torch: $(STAMP)
	$(BIN)/pip install --quiet torch==2.13.0
	SCIPY_ARRAY_API=1 $(BIN)/python -m pytest -n 2 --dist loadgroup -q tests

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache docs/_build docs/auto_examples docs/generated

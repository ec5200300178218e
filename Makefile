# Two commands for a new machine: `make run` (the web UI) and `make test` (all tests).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False
export ANONYMIZED_TELEMETRY := False
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: install index run chat test eval lint format clean

$(BIN)/assistant: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev]'
	touch $@

install: $(BIN)/assistant

index: install  ## build or update the index (incremental; rebuilds when stale)
	$(BIN)/assistant ingest

run: index  ## set up, index, and start the web UI at http://127.0.0.1:7860
	$(BIN)/assistant serve

chat: index  ## the assistant in the terminal
	$(BIN)/assistant chat

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: install lint  ## set up and run every test (slow ones included), then the eval gate
	$(BIN)/pytest
	$(BIN)/assistant eval --report reports/eval.md --json reports/eval.json

# options of the eval, e.g. make eval EVAL_ARGS="--set main --set fresh"
EVAL_ARGS ?=

eval: install  ## only the eval question sets against floors and baseline
	$(BIN)/assistant eval --report reports/eval.md --json reports/eval.json $(EVAL_ARGS)

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf index/chroma index/manifest.json .pytest_cache

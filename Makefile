# Sehat Saathi. `make run` and `make test` work on a fresh Debian/Ubuntu machine: each sets up
# what is missing first (system packages when root, .venv on Python 3.11+, .venv-rasa on 3.10).
SHELL := /bin/bash
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
VENV := .venv/bin

.PHONY: setup run test lint train nlu-eval triage-eval ocr-eval bench clean

setup:
	@bash scripts/setup.sh

run: setup
	@$(VENV)/saathi up

test: setup
	$(VENV)/ruff check .
	$(VENV)/pytest -q -rs

lint: setup
	$(VENV)/ruff check .

train: setup
	$(VENV)/saathi train

nlu-eval: setup
	$(VENV)/saathi nlu-eval

triage-eval: setup
	$(VENV)/saathi triage-eval

ocr-eval: setup
	$(VENV)/saathi ocr-eval

bench: setup
	$(VENV)/python bench/conversation.py

clean:
	rm -rf .venv .venv-rasa models var

# The two commands: `make run` and `make test`. See README.md.
PYTHON := .venv/bin/python

.PHONY: run test venv venv-dev

venv:
	@./scripts/venv.sh

venv-dev:
	@EXTRAS=dev ./scripts/venv.sh

run: venv
	@./scripts/run.sh

test: venv-dev
	$(PYTHON) -m pytest

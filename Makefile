# The two commands: `make run` and `make test`. See README.md.
PYTHON := .venv/bin/python

.PHONY: run test bench venv venv-dev messages compilemessages

venv:
	@./scripts/venv.sh

venv-dev:
	@EXTRAS=dev ./scripts/venv.sh

run: venv compilemessages
	@./scripts/run.sh

test: venv-dev compilemessages
	$(PYTHON) -m pytest

# What the dashboard costs on top of the Weblink API; writes docs/benchmarks.md (bench/run.py).
bench: venv-dev
	$(PYTHON) -m bench.run

# The Swedish catalogue: `make messages` adds new strings to locale/sv/LC_MESSAGES/django.po
# (translate them there); compilemessages builds the .mo files the dashboard reads.
messages: venv
	DJANGO_SETTINGS_MODULE=config.settings_test $(PYTHON) manage.py makemessages -l sv \
		--ignore=.venv --ignore=weblink_sim --ignore=tests --ignore=bench --ignore=staticfiles \
		--add-location=file

compilemessages:
	@if command -v msgfmt >/dev/null 2>&1; then \
		DJANGO_SETTINGS_MODULE=config.settings_test $(PYTHON) manage.py compilemessages \
			--ignore=.venv --verbosity 0; \
	else \
		echo "gettext's msgfmt is missing (apt-get install gettext): pages show in English only"; \
	fi

# camfleet: `make demo` and `make test` do all set-up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# An ONVIF client we do not use (libonvif), for interoperability tests; its dependencies clash with ours.
INTEROP := .venv-interop
INTEROP_STAMP := $(INTEROP)/.installed

.PHONY: install demo test lint bench clean messages

install: $(STAMP) $(INTEROP_STAMP)

# The browser tests drive Debian's chromium (Playwright's own browser download does not work here).
$(STAMP): pyproject.toml requirements.lock
	command -v chromium >/dev/null || (apt-get update && apt-get install -y --no-install-recommends chromium)
	# The WS-Discovery tests make a network namespace of their own (ip netns, veth): iproute2.
	command -v ip >/dev/null || (apt-get update && apt-get install -y --no-install-recommends iproute2)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c requirements.lock -e ".[dev]"
	touch $(STAMP)

$(INTEROP_STAMP): requirements-interop.lock
	test -x $(INTEROP)/bin/python || $(PYTHON) -m venv $(INTEROP)
	$(INTEROP)/bin/python -m pip install -q -r requirements-interop.lock
	touch $(INTEROP_STAMP)

demo: install
	$(BIN)/camfleet demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Three workers on two cores: most tests wait on sockets, processes and timers (tests/parallel.py, docs/architecture.md).
# The slowest tests are listed at the end: the suite must stay within 15 minutes on a clean machine.
test: lint
	$(BIN)/pytest -n 3 --durations=25

# After adding or changing a people-facing text: bring both catalogues in line with the code and templates, then
# write the Dutch (tests/fleet/test_language.py fails until every entry is translated and none is left fuzzy).
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k say --no-location --sort-output -o .messages.pot .
	for lang in nl en; do $(BIN)/pybabel update -D camfleet -d fleet/locale -l $$lang -i .messages.pot --no-fuzzy-matching --ignore-obsolete -w 120; done
	# No creation date in the catalogues: it changed on every run and made every parallel change conflict.
	sed -i '/^"POT-Creation-Date: /d' fleet/locale/*/LC_MESSAGES/camfleet.po
	rm .messages.pot

bench: install
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) $(INTEROP) var .pytest_cache .mypy_cache .ruff_cache

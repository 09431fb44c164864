# Two commands: `make run` serves the demo, `make test` runs the whole suite. Both start from nothing.
PYTHON ?= python3
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app training
STAMP := $(VENV)/.installed
TRANSLATIONS := training/translations

.PHONY: run test lint install system-packages js-packages translations messages screenshots bench clean

# Debian packages the tests drive for real: Chromium (Playwright's own browser download
# cannot be used here), CJK fonts for the screenshots, and libical's GObject bindings
# (an independent iCalendar parser that checks the calendar feeds and invitations),
# Pango for WeasyPrint's PDFs, and poppler's pdftoppm that renders them back to images.
# pg_dump (postgresql-client-15, the version of Debian 12 and of its PostgreSQL server) lets the
# encryption tests read a dump of the test database as an attacker holding it would.
SYSTEM_PACKAGES := chromium fonts-noto-cjk gir1.2-ical-3.0 python3-gi libpango-1.0-0 libpangoft2-1.0-0 \
	poppler-utils postgresql-client-15
# node and npm run Mozilla's ical.js in the calendar tests. Installed only when the
# commands are missing: a NodeSource nodejs already ships npm and conflicts with Debian's.
NODE_PACKAGES := nodejs npm
JS_TESTS := tests/calendar/js
# axe-core, the accessibility checker the browser tests inject into every page.
JS_BROWSER := tests/browser/js

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# The compiled catalogues (.mo) are committed, so that an install from the source serves Chinese
# as it is; rebuild them after translating, and commit them (tests/i18n checks they match).
translations: $(STAMP)
	@if ls $(TRANSLATIONS)/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
		$(BIN)/pybabel --quiet compile -d $(TRANSLATIONS); fi

# Refresh the catalogues after changing user-facing strings.
messages: $(STAMP)
	mkdir -p $(TRANSLATIONS)
	$(BIN)/pybabel --quiet extract -F babel.cfg -k _l --project=training --copyright-holder= \
		--msgid-bugs-address= -o $(TRANSLATIONS)/messages.pot .
	@if ls $(TRANSLATIONS)/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
		$(BIN)/pybabel --quiet update --ignore-obsolete -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS); fi

run: translations
	$(FLASK) db upgrade
	$(FLASK) demo --if-empty
	$(FLASK) run --host 127.0.0.1 --port 5000

system-packages:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:" $$missing; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi
	@if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then \
		echo "Installing Debian packages:" $(NODE_PACKAGES); \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(NODE_PACKAGES) >/dev/null; \
	fi

# ical.js for the calendar tests, pinned by the package.json and lock file committed there.
$(JS_TESTS)/node_modules/.package-lock.json: $(JS_TESTS)/package.json $(JS_TESTS)/package-lock.json
	npm ci --prefix $(JS_TESTS) --no-audit --no-fund --loglevel=error

# axe-core for the accessibility checks of the browser tests, pinned the same way.
$(JS_BROWSER)/node_modules/.package-lock.json: $(JS_BROWSER)/package.json $(JS_BROWSER)/package-lock.json
	npm ci --prefix $(JS_BROWSER) --no-audit --no-fund --loglevel=error

js-packages: system-packages $(JS_TESTS)/node_modules/.package-lock.json $(JS_BROWSER)/node_modules/.package-lock.json

# Style and the layers (pyproject.toml's [tool.importlinter]: a feature imports only from below).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# pytest-xdist runs the suite in one worker per core (at most 4: tests/servers.py gives each its own
# Redis databases), handing out tests one by one (--dist load; no test is grouped); the browser tests
# come first and spread over the workers, each worker with its own demo server and Chromium
# (tests/browser/conftest.py).
# PYTEST_WORKERS=0 runs everything in this one process.
PYTEST_WORKERS ?= auto
test: install system-packages js-packages
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --maxprocesses 4 --dist load $(PYTEST_ARGS)

# Refresh docs/screenshots/ from the browser tests.
screenshots: translations system-packages js-packages
	SCREENSHOT_DIR=docs/screenshots $(BIN)/python -m pytest -m browser $(PYTEST_ARGS)

# The speed budget (docs/BENCHMARKS.md): the product under gunicorn on PostgreSQL and SQLite,
# driven by wrk, next to a bare Flask app. Prints figures; not part of the tests.
# BENCH_ARGS narrows a run, e.g. BENCH_ARGS="--databases sqlite --sizes 100 --duration 3".
bench: translations
	@command -v wrk >/dev/null 2>&1 || { echo "Installing Debian packages: wrk"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq wrk >/dev/null; }
	@# nginx with bench/nginx.conf's proxy_cache, started by the bench itself on loopback.
	@command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || { echo "Installing Debian packages: nginx"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq nginx >/dev/null; }
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance test-artifacts .pytest_cache $(JS_TESTS)/node_modules $(JS_BROWSER)/node_modules

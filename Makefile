# Two commands: `make run` serves the demo, `make test` runs the whole suite. Both start from nothing.
PYTHON ?= python3
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app training
STAMP := $(VENV)/.installed
TRANSLATIONS := training/translations

.PHONY: run test lint install browser translations screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# Compiled message catalogues are built, not committed.
translations: $(STAMP)
	@if ls $(TRANSLATIONS)/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
		$(BIN)/pybabel compile --quiet -d $(TRANSLATIONS); fi

run: translations
	$(FLASK) db upgrade
	$(FLASK) demo --if-empty
	$(FLASK) run --host 127.0.0.1 --port 5000

# Debian's Chromium for the browser tests (Playwright's own browser download cannot be used).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
		echo "Installing Chromium from Debian's packages"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check .

test: translations browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Refresh docs/screenshots/ from the browser tests.
screenshots: translations browser
	SCREENSHOT_DIR=docs/screenshots $(BIN)/python -m pytest -m browser $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) instance test-artifacts .pytest_cache

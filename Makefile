# The README's two commands are `make run` and `make test`; the rest serve them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml requirements.lock | cksum | cut -d' ' -f1)

.PHONY: run test lint bench chromium clean i18n i18n-portal

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $@

## run: a demo node (China) on embedded SQLite at http://127.0.0.1:8000
run: $(STAMP)
	SILKGATE_MODE=demo $(BIN)/silkgate demo run

## test: the whole suite (SQLite; set SILKGATE_TEST_DATABASE_URL for PostgreSQL)
test: $(STAMP) chromium
	$(BIN)/python -m pytest

# lint: style, the import contracts (layers) and the type checker
lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy

# i18n: the node's catalogue: extract the messages (Python and templates, and the words
# that describe a format to its validators: pattern() and shaped()) into
# silkgate.pot, bring each language's silkgate.po up to date, compile the .mo files
# (committed, so a fresh clone speaks every language with no extra step).
LOCALES_DIR := src/silkgate/i18n/locales
i18n: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k pattern:2 -k shaped:2 --no-location --sort-output \
	  --project=silkgate --copyright-holder="silkgate contributors" \
	  -o $(LOCALES_DIR)/silkgate.pot src/silkgate
	for locale in zh_Hans ru vi; do \
	  if [ -f $(LOCALES_DIR)/$$locale/LC_MESSAGES/silkgate.po ]; then \
	    $(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -D silkgate \
	      -i $(LOCALES_DIR)/silkgate.pot -d $(LOCALES_DIR) -l $$locale; \
	  else \
	    $(BIN)/pybabel init -D silkgate -i $(LOCALES_DIR)/silkgate.pot \
	      -d $(LOCALES_DIR) -l $$locale; \
	  fi; \
	done
	$(BIN)/pybabel compile --statistics -D silkgate -d $(LOCALES_DIR)

bench: $(STAMP)
	$(BIN)/python bench/lodge.py

# The console tests drive Debian's Chromium; install it when missing and we may.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get install -y -q chromium >/dev/null 2>&1 || \
	     (apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null)); \
	  else echo "chromium is missing: sudo apt-get install chromium" >&2; exit 1; fi; }

clean:
	rm -rf $(VENV) var .pytest_cache

# The portal's catalogue: extract its messages, update the translations, compile them.
PORTAL_I18N = src/silkgate/portal/i18n
i18n-portal: $(STAMP)
	$(BIN)/pybabel extract -F $(PORTAL_I18N)/babel.cfg -k N_ -k _ --no-location --omit-header -o $(PORTAL_I18N)/portal.pot .
	$(BIN)/pybabel update -D portal -i $(PORTAL_I18N)/portal.pot -d src/silkgate/i18n/locales --no-fuzzy-matching
	$(BIN)/pybabel compile -D portal -d src/silkgate/i18n/locales

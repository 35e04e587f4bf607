# The two commands of the README: `make run` and `make test`. Everything else supports them.
VENV ?= .venv
PYTHON ?= python3
PORT ?= 5000
BIN := $(VENV)/bin
export WEBCARE_INSTANCE_PATH ?= $(CURDIR)/instance

.PHONY: run test lint install translations vendor bench clean

# Two stamps: `make run` installs the runtime dependencies only; `make test` adds the test extra on top.
$(BIN)/.runtime-installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==25.3
	$(BIN)/pip install --quiet -e .
	touch $@

$(BIN)/.test-installed: $(BIN)/.runtime-installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/.test-installed

run: $(BIN)/.runtime-installed
	$(BIN)/webcare db upgrade
	$(BIN)/webcare demo --if-empty
	@echo "Webcare runs on http://127.0.0.1:$(PORT) (stop with Ctrl+C)"
	WEBCARE_DEMO_TRICKLE_SECONDS=$${WEBCARE_DEMO_TRICKLE_SECONDS:-45} $(BIN)/webcare serve --port $(PORT)

test: $(BIN)/.test-installed lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The layers (docs/architecture.md) and the house style, checked by tools rather than by hope.
lint: $(BIN)/.test-installed
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff check --no-cache webcare tests bench config.py
	$(BIN)/ruff format --check --no-cache webcare tests bench config.py

translations: $(BIN)/.runtime-installed
	$(BIN)/pybabel extract -F babel.cfg -k _l --project=Webcare --version=0.1.0 \
		--copyright-holder="Webcare contributors" --add-comments=TRANSLATORS: -w 100 -o webcare/translations/messages.pot .
	$(BIN)/pybabel update -i webcare/translations/messages.pot -d webcare/translations --no-fuzzy-matching -w 100
	$(BIN)/pybabel compile -d webcare/translations

vendor:
	cd /tmp && npm pack htmx.org@2.0.11 chart.js@4.5.1 axe-core@4.11.0
	@echo "unpack the archives and copy the files named in webcare/static/vendor/VERSIONS.md"

bench: $(BIN)/.runtime-installed
	$(BIN)/python bench/intake.py --messages 100000

clean:
	rm -rf $(VENV) instance build *.egg-info

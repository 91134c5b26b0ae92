# TopicLens: `make run` starts the dashboard, `make test` runs every test. Both install what they need.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PORT   ?= 8501
# This machine only by default: project addresses are secrets. A shared server: make run ADDRESS=0.0.0.0
ADDRESS ?= 127.0.0.1

.PHONY: install run test test-fast install-check wheel browser-deps bench i18n clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[test]"
	touch $@

install: $(BIN)/.installed

# The installed product's own command (Streamlit's bootstrap, the shipped .streamlit settings).
run: install
	$(BIN)/topiclens serve --port $(PORT) --address $(ADDRESS)

# Real-browser tests drive Debian's Chromium with CJK fonts (never `playwright install`).
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk fonts-noto-color-emoji >/dev/null; \
	fi

# Every test (the installed product's too: wheel -> fresh venv -> CLI and browser), the slowest 15 named.
test: install browser-deps
	$(BIN)/python -m pytest -q --durations=15

# The fast tier (about a minute): no browser, no AppTest page runs, no slow or Dask tests, no install check.
test-fast: install
	$(BIN)/python -m pytest -q --durations=15 -m "not browser and not apptest and not slow and not dask and not install"

# Build the wheel, install it into a fresh virtualenv outside the checkout, drive it from another folder.
install-check: install browser-deps
	$(BIN)/python -m pytest -q -m install

wheel: install
	$(BIN)/python -m pip wheel --no-deps --no-build-isolation -w dist .

# Interface catalogs: re-extract the marked strings, merge them into zh_CN, compile the .mo (shipped,
# and checked against the .po by tests/test_i18n.py). Translate what `update` adds in core/locale/zh_CN.
I18N := core/locale
i18n: install
	$(BIN)/pybabel -q extract -F babel.cfg -k InputError -k pgettext:1c,2 --no-location --sort-output \
		--project TopicLens -o $(I18N)/topiclens.pot .
	$(BIN)/pybabel -q update -i $(I18N)/topiclens.pot -d $(I18N) -D topiclens -l zh_CN --no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel compile -d $(I18N) -D topiclens -l zh_CN --statistics

bench: install
	$(BIN)/python bench/tokenize.py

clean:
	rm -rf $(VENV) .pytest_cache build dist

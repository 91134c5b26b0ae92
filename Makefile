# TopicLens: `make run` starts the dashboard, `make test` runs every test. Both install what they need.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PORT   ?= 8501
# This machine only by default: project addresses are secrets. A shared server: make run ADDRESS=0.0.0.0
ADDRESS ?= 127.0.0.1

.PHONY: install run test browser-deps bench i18n clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[test]"
	touch $@

install: $(BIN)/.installed

run: install
	$(BIN)/streamlit run app.py --server.port $(PORT) --server.address $(ADDRESS)

# Real-browser tests drive Debian's Chromium with CJK fonts (never `playwright install`).
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk fonts-noto-color-emoji >/dev/null; \
	fi

test: install browser-deps
	$(BIN)/python -m pytest -q

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
	rm -rf $(VENV) .pytest_cache

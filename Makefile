# 老兵e家: `make run` starts the demo on SQLite; `make test` runs every check (ruff, mypy, pytest).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8000
DEMO_PASSWORD ?=

.PHONY: setup fonts charts run test lint pytest bench messages clean

# The letters' font (petitions/letters.py embeds a subset of it in every PDF letter): Noto Serif SC Regular,
# TrueType outlines, SIL OFL 1.1, from a pinned npm package; npm checks the package, we check the file.
FONT_PACKAGE := @expo-google-fonts/noto-serif-sc@0.4.3
FONT_MEMBER := package/400Regular/NotoSerifSC_400Regular.ttf
FONT_SHA256 := c358a69de3df5f423a8946a7b03e3126fb6ba116f1130a463455b4e39e1f0742
FONT := var/fonts/NotoSerifSC-Regular.ttf

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt -r requirements-dev.txt
	touch $(STAMP)

$(FONT):
	@command -v npm >/dev/null || { echo "需要 npm 来安装信访告知书所用的字体（Debian: apt-get install npm）。 / npm is needed to install the letters' font (Debian: apt-get install npm)." >&2; exit 1; }
	rm -rf var/fonts/.download && mkdir -p var/fonts/.download
	cd var/fonts/.download && npm pack --silent --cache ../.npm-cache $(FONT_PACKAGE) >/dev/null
	tar -xzf var/fonts/.download/*.tgz -C var/fonts/.download $(FONT_MEMBER) package/LICENSE_FONT
	echo "$(FONT_SHA256)  var/fonts/.download/$(FONT_MEMBER)" | sha256sum --check --quiet
	mv var/fonts/.download/package/LICENSE_FONT var/fonts/NotoSerifSC-LICENSE.txt
	mv var/fonts/.download/$(FONT_MEMBER) $@
	rm -rf var/fonts/.download var/fonts/.npm-cache

fonts: $(FONT)

# The cockpit's charts (static/js/cockpit.js): Apache ECharts' minified bundle, Apache-2.0, from a pinned npm
# package, checked as the font is; placed in static/ (collected and served by whitenoise, never a CDN).
ECHARTS_PACKAGE := echarts@5.6.0
ECHARTS_MEMBER := package/dist/echarts.min.js
ECHARTS_SHA256 := bf4a223524e40b77c304bec67e1222cf551f14880cf42c69dc046558e11c07b1
ECHARTS := static/js/vendor/echarts.min.js

$(ECHARTS):
	@command -v npm >/dev/null || { echo "需要 npm 来安装驾驶舱的图表库（Debian: apt-get install npm）。 / npm is needed to install the cockpit's charts (Debian: apt-get install npm)." >&2; exit 1; }
	rm -rf var/echarts && mkdir -p var/echarts/.download
	cd var/echarts/.download && npm pack --silent --cache ../.npm-cache $(ECHARTS_PACKAGE) >/dev/null
	tar -xzf var/echarts/.download/*.tgz -C var/echarts/.download $(ECHARTS_MEMBER) package/LICENSE package/NOTICE
	echo "$(ECHARTS_SHA256)  var/echarts/.download/$(ECHARTS_MEMBER)" | sha256sum --check --quiet
	mkdir -p $(dir $@)
	cat var/echarts/.download/package/LICENSE var/echarts/.download/package/NOTICE > $(dir $@)echarts-LICENSE.txt
	mv var/echarts/.download/$(ECHARTS_MEMBER) $@
	rm -rf var/echarts

charts: $(ECHARTS)

# The browser tests' accessibility check (axe-core, run in the page through the debugging protocol): from the
# npm registry, checked like the charts; kept in var/ (a test tool, never served).
AXE_PACKAGE := axe-core@4.10.3
AXE_SHA256 := 880970c081707360e64f34cea25ff91892f5bc95675b0776925b9709dd8a68bb
AXE := var/axe/axe.min.js

$(AXE):
	@command -v npm >/dev/null || { echo "需要 npm 来安装无障碍检查工具。 / npm is needed to install the accessibility check." >&2; exit 1; }
	rm -rf var/axe/.download && mkdir -p var/axe/.download
	cd var/axe/.download && npm pack --silent --cache ../.npm-cache $(AXE_PACKAGE) >/dev/null
	tar -xzf var/axe/.download/*.tgz -C var/axe/.download package/axe.min.js package/LICENSE
	echo "$(AXE_SHA256)  var/axe/.download/package/axe.min.js" | sha256sum --check --quiet
	mv var/axe/.download/package/LICENSE var/axe/axe-LICENSE.txt
	mv var/axe/.download/package/axe.min.js $@
	rm -rf var/axe/.download var/axe/.npm-cache

# Idempotent and fast when nothing changed: reinstalls only when a requirements file does.
setup: $(STAMP) $(FONT) $(ECHARTS) $(AXE)
	$(PY) -m laobing.compile_messages

run: setup
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true $(PY) manage.py demo $(if $(DEMO_PASSWORD),--password '$(DEMO_PASSWORD)')
	@echo "老兵e家 is at http://127.0.0.1:$(PORT)/  (sign in with a demo login above)"
	@# The worker runs under a supervisor that starts it again whenever it exits (after 5 s), and stops
	@# it when the server stops.
	DEBUG=true $(PY) -m laobing.supervise --pause 5 -- $(PY) manage.py worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=true $(PY) manage.py runserver 127.0.0.1:$(PORT)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy core accounts audit regions veterans workflow petitions cases benefits points aid care martyrs campaigns cockpit portal home laobing

# Two test processes (pytest-xdist), one per core of the machine CI runs on: each has its own test database
# (PostgreSQL: test_<name>_gw0, _gw1); PYTEST_WORKERS=0 runs them in this one process.
PYTEST_WORKERS ?= 2

pytest: setup
	$(PY) -m pytest $(if $(filter 0,$(PYTEST_WORKERS)),,-n $(PYTEST_WORKERS)) $(PYTEST_ARGS)

test: lint pytest

# Benchmarks need PostgreSQL (DATABASE_URL) and wrk (apt-get install wrk); not part of `make test`.
# The benefits batch at 300,000 entitlements runs after the others (the bench database made afresh again)
# (BENCH_ENTITLEMENTS=30000 for a quick look); BENCH=<names> runs only those.
bench: setup
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-bench.txt
	$(PY) -m bench $(BENCH)
	$(if $(BENCH),,$(PY) -m bench benefits_generate)

messages: setup
	DEBUG=true $(PY) manage.py makemessages -l zh_Hans --no-obsolete --ignore '.venv/*' --ignore 'var/*'
	$(PY) -m laobing.compile_messages

clean:
	rm -rf $(VENV) var static/js/vendor

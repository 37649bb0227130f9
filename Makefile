# 老兵e家: `make run` starts the demo on SQLite; `make test` runs every check (ruff, mypy, pytest).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8000
DEMO_PASSWORD ?=

.PHONY: setup run test lint pytest bench messages clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt -r requirements-dev.txt
	touch $(STAMP)

# Idempotent and fast when nothing changed: reinstalls only when a requirements file does.
setup: $(STAMP)
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
	$(VENV)/bin/mypy core accounts audit regions veterans workflow petitions cases home laobing

pytest: setup
	$(PY) -m pytest $(PYTEST_ARGS)

test: lint pytest

# Benchmarks need PostgreSQL (DATABASE_URL) and wrk (apt-get install wrk); not part of `make test`.
bench: setup
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-bench.txt
	$(PY) -m bench $(BENCH)

messages: setup
	DEBUG=true $(PY) manage.py makemessages -l zh_Hans --no-obsolete --ignore '.venv/*' --ignore 'var/*'
	$(PY) -m laobing.compile_messages

clean:
	rm -rf $(VENV) var

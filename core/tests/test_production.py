"""The production command's settings (gunicorn.conf.py): long enough for a request, and no preloading."""

from __future__ import annotations

import runpy
from pathlib import Path

CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


def test_gunicorn_outlasts_its_default_timeout_and_loads_the_app_in_each_worker() -> None:
    conf = runpy.run_path(str(CONF))
    assert conf["timeout"] > 30 and conf["graceful_timeout"] >= 30
    assert conf["preload_app"] is False
    assert conf["workers"] >= 1 and conf["accesslog"] == "-"


def test_the_readme_serves_with_it_and_runs_the_worker() -> None:
    readme = (CONF.parent / "README.md").read_text(encoding="utf-8")
    assert "gunicorn -c gunicorn.conf.py laobing.wsgi" in readme
    assert "manage.py worker" in readme


def test_the_access_log_keeps_no_query_string() -> None:
    """A search by ID number or phone goes in the query string: the log has the path only."""
    fmt = runpy.run_path(str(CONF))["access_log_format"]
    assert "%(r)s" not in fmt and "%(q)s" not in fmt and "%(U)s" in fmt

"""A bare Django for the benchmark's baseline: the same database, one view, no middleware."""

from laobing.settings import *  # noqa: F403

ROOT_URLCONF = "bench.bare_urls"
MIDDLEWARE: list[str] = []

"""Run the benchmarks against a throw-away PostgreSQL database.

DATABASE_URL names the server (default: the local one, database `laobing_bench`);
the database is dropped and created afresh, then migrated. BENCH_KEEP_DB=1 keeps it (migrated to the current
schema) for a benchmark that reuses what an earlier run loaded (bench/cockpit.py does).
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
import time

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/laobing_bench"


def main() -> int:
    url = os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgres"):
        print("benchmarks need PostgreSQL: set DATABASE_URL=postgres://…", file=sys.stderr)
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "laobing.settings_test")
    import django
    import psycopg
    from django.conf import settings

    django.setup()
    db = settings.DATABASES["default"]
    admin = psycopg.connect(
        host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname="postgres", autocommit=True
    )
    exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone()
    if not (exists and os.environ.get("BENCH_KEEP_DB") == "1"):
        admin.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}"')
        admin.execute(f'CREATE DATABASE "{db["NAME"]}"')
    admin.close()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    names = sys.argv[1:] or [m.name for m in pkgutil.iter_modules(__path__) if m.name.startswith("bench_")]
    for name in sorted(names):
        module = importlib.import_module(f"bench.{name}")
        print(f"== {name}: {module.__doc__.strip().splitlines()[0] if module.__doc__ else ''}")
        started = time.perf_counter()
        module.run()
        print(f"   ({time.perf_counter() - started:.1f} s)")
    return 0


__path__ = [os.path.dirname(__file__)]

if __name__ == "__main__":
    raise SystemExit(main())

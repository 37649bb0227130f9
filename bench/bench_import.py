"""Veteran import: 100,000-row xlsx validated and committed on PostgreSQL, beside django-import-export and the floor."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from accounts.testing import UserFactory
from bench.data import veterans_xlsx
from regions.demo import load_network
from regions.models import Region

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "100000"))
IEX_ROWS = int(os.environ.get("BENCH_IEX_ROWS", "10000"))
TARGET_ROWS_PER_S = 20000
MEASURED_PARSE_ROWS_PER_S = 213_000  # ../shared/MEASURED.md: python-calamine, 100k rows × 13 columns
MEASURED_IEX = {"iex_plain": 1_161, "iex_tuned": 7_969}  # the django-import-export figures, same machine


def _phase(name: str, path: str) -> dict[str, object]:
    out = subprocess.run(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-m", "bench.import_phase", name, path, "bench_importer"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def run() -> None:
    load_network()
    city = Region.objects.get(code="330482000000")
    UserFactory(username="bench_importer", role="city_admin", scope_region=city)
    places = list(Region.objects.filter(level="grid", code__startswith="330482").values_list("code", flat=True))
    big = str(veterans_xlsx(ROWS, places))
    small = str(veterans_xlsx(IEX_ROWS, places))
    results = [_phase("parse", big), _phase("floor", big), _phase("validate", big), _phase("commit", big)]
    try:
        import import_export  # noqa: F401
    except ImportError:
        print("   (django-import-export not installed: pip install -r requirements-bench.txt)")
    else:
        results += [_phase("iex_plain", small), _phase("iex_tuned", small)]
    for r in results:
        print(f"   {r['phase']:<10} {r['rows']:>7,} rows  {r['seconds']:>7.2f} s  {r['rows_per_s']:>8,} rows/s  "
              f"peak {r['peak_mb']} MB")  # fmt: skip
    commit = next(r for r in results if r["phase"] == "commit")
    parse = next(r for r in results if r["phase"] == "parse")
    speed = parse["rows_per_s"] / MEASURED_PARSE_ROWS_PER_S
    print(f"   this machine reads xlsx at {speed:.2f}× the speed MEASURED.md records "
          f"({parse['rows_per_s']:,} vs {MEASURED_PARSE_ROWS_PER_S:,} rows/s); "
          f"end to end is {commit['rows_per_s'] / parse['rows_per_s']:.3f} of reading alone")  # fmt: skip
    for r in results:
        if r["phase"] in MEASURED_IEX:
            wanted = TARGET_ROWS_PER_S / MEASURED_IEX[r["phase"]]
            print(f"   end to end / {r['phase']} in this run: {commit['rows_per_s'] / r['rows_per_s']:.1f}×; "
                  f"the target is {wanted:.1f}× the figure measured beside it")  # fmt: skip
    print(f"   end to end (validate, encrypt, commit): {commit['rows_per_s']:,} rows/s; target {TARGET_ROWS_PER_S:,}; "
          f"peak {commit['peak_mb']} MB (target < 500)")  # fmt: skip

"""Veterans API at province scale: wrk against gunicorn, beside the same queries in raw SQL and a bare view.

Needs PostgreSQL and wrk. The 1,500,000-veteran database (BENCH_SCALE_DB, default laobing_scale)
is built once with `manage.py demo --veterans N` (Zhejiang's real towns and villages, 当湖街道 with
its share) and kept between runs; one built by an older demo, on made-up Pinghu codes, is rebuilt.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
SCALE = int(os.environ.get("BENCH_SCALE", "1500000"))
DB = os.environ.get("BENCH_SCALE_DB", "laobing_scale")
URL = f"postgres://postgres@127.0.0.1:5432/{DB}"
PORT = int(os.environ.get("BENCH_PORT", "8765"))
DURATION = os.environ.get("BENCH_DURATION", "10s")
TOWN = "330482001"
PASSWORD = "Bench-Password-2026!"  # noqa: S105 (a throw-away benchmark user)


def _env() -> dict[str, str]:
    return {
        **os.environ, "DATABASE_URL": URL, "DJANGO_SETTINGS_MODULE": "laobing.settings", "DEBUG": "false",
        "SECRET_KEY": "bench-" + "k" * 50, "FIELD_ENCRYPTION_KEY": "bench-field-key-" + "f" * 40,
        "AUDIT_KEY": "bench-audit-key-" + "a" * 40,
        "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "false", "CONN_MAX_AGE": "600",
        "LAOBING_VAR_DIR": str(ROOT / "bench" / "out" / "var"),
    }  # fmt: skip


def _manage(*args: str) -> str:
    out = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=_env(), capture_output=True, text=True)  # noqa: S603
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-3000:])
    return out.stdout


def _official_network() -> bool:
    """Whether the database holds the demo on the official codes (乍浦镇 is 330482101000, not 330482100000)."""
    with psycopg.connect(URL) as conn:
        if not conn.execute("SELECT to_regclass('regions_region')").fetchone()[0]:
            return True  # nothing loaded yet
        return not conn.execute("SELECT 1 FROM regions_region WHERE code = '330482100000'").fetchone()


def ensure_database() -> None:
    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB]).fetchone()
        if exists and not _official_network():
            print(f"   database {DB} holds an older demo's made-up codes: rebuilding it", flush=True)
            admin.execute(f'DROP DATABASE "{DB}"')
            exists = None
        if not exists:
            admin.execute(f'CREATE DATABASE "{DB}"')
    _manage("migrate", "--noinput")
    with psycopg.connect(URL) as conn:
        have = conn.execute("SELECT count(*) FROM veterans_veteran").fetchone()[0]
    if have < SCALE:
        print(f"   building {SCALE:,} veterans (once; kept in database {DB}) …", flush=True)
        started = time.perf_counter()
        _manage("demo", "--password", PASSWORD, "--veterans", str(SCALE))
        print(f"   built in {time.perf_counter() - started:,.0f} s", flush=True)
    _manage("shell", "-c", "from veterans.search import rebuild_grams; rebuild_grams(only_missing=True)")


def token() -> str:
    body = json.dumps({"username": "town_danghu", "password": PASSWORD}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{PORT}/api/v1/auth/token", body,
                                     {"Content-Type": "application/json"})  # fmt: skip
    with urllib.request.urlopen(request) as response:  # noqa: S310 (loopback only)
        return json.loads(response.read())["token"]


def sample_values() -> dict[str, str]:
    """A surname, a two-character fragment, initials and an ID tail that exist in the town."""
    from core.crypto import decrypt

    with psycopg.connect(URL) as conn:
        row = conn.execute(
            "SELECT name, name_initials, id_number_enc FROM veterans_veteran WHERE region_code LIKE %s "
            "AND char_length(name) = 3 ORDER BY id DESC LIMIT 1", [TOWN + "%"]
        ).fetchone()  # fmt: skip
    name, initials, enc = row
    return {"surname": name[0], "fragment": name[1:], "initials": initials, "id_tail": decrypt(enc)[-6:]}


def wrk(path: str, bearer: str, port: int = PORT) -> dict[str, float]:
    out = subprocess.run(  # noqa: S603
        [WRK, "-t2", "-c8", f"-d{DURATION}", "-s", str(ROOT / "bench" / "wrk_report.lua"),
         f"http://127.0.0.1:{port}{path}"],
        env={**os.environ, "BENCH_TOKEN": bearer}, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def raw_sql(sql: str, params: list[object], seconds: float = 5.0, clients: int = 8) -> dict[str, float]:
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def worker() -> None:
        with psycopg.connect(URL) as conn:
            while time.perf_counter() < stop:
                started = time.perf_counter()
                conn.execute(sql, params).fetchall()
                with lock:
                    latencies.append(time.perf_counter() - started)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    q = statistics.quantiles(latencies, n=100)
    return {"rps": len(latencies) / seconds, "p50_ms": q[49] * 1000, "p95_ms": q[94] * 1000, "p99_ms": q[98] * 1000}


def plan(sql: str, params: list[object]) -> str:
    with psycopg.connect(URL) as conn:
        rows = conn.execute("EXPLAIN (ANALYZE, BUFFERS OFF) " + sql, params).fetchall()
    return "\n".join("      " + r[0] for r in rows)


WRK = shutil.which("wrk") or "wrk"


def run() -> None:
    if not shutil.which("wrk"):
        print("   wrk is not installed (apt-get install wrk): skipped")
        return
    ensure_database()
    from django.conf import settings

    # This process was set up for the throw-away bench database; the scale database has its own key.
    settings.FIELD_ENCRYPTION_KEY = _env()["FIELD_ENCRYPTION_KEY"]
    from veterans.search import search_sql

    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "laobing.wsgi", "-w", "2", "-b", f"127.0.0.1:{PORT}", "--log-level",
         "warning"], cwd=ROOT, env=_env(),
    )  # fmt: skip
    bare_server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "laobing.wsgi", "-w", "2", "-b", f"127.0.0.1:{PORT + 1}", "--log-level",
         "warning"], cwd=ROOT, env={**_env(), "DJANGO_SETTINGS_MODULE": "bench.settings_bare"},
    )  # fmt: skip
    try:
        for _ in range(50):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/livez")
                break
            except OSError:
                time.sleep(0.2)
        bearer = token()
        values = sample_values()
        cases = [
            ("list, one town", f"/api/v1/veterans?region={TOWN}&limit=50", ""),
            ("q = 1-character surname", f"/api/v1/veterans?region={TOWN}&q={values['surname']}", values["surname"]),
            ("q = 2-character fragment", f"/api/v1/veterans?region={TOWN}&q={values['fragment']}", values["fragment"]),
            ("q = pinyin initials", f"/api/v1/veterans?region={TOWN}&q={values['initials']}", values["initials"]),
            ("q = ID last 6 digits", f"/api/v1/veterans?region={TOWN}&q={values['id_tail']}", values["id_tail"]),
        ]
        bare = wrk("/livez", bearer)
        print(f"   bare Django view, no database: {bare['rps']:,.0f} req/s  p50 {bare['p50_ms']:.1f} ms  "
              f"p95 {bare['p95_ms']:.1f} ms  p99 {bare['p99_ms']:.1f} ms")  # fmt: skip
        for label, path, q in cases:
            api = wrk(urllib.parse.quote(path, safe="/?=&"), bearer)
            bare_path = urllib.parse.quote(f"/veterans?region={TOWN}&q={q}", safe="/?=&")
            bare_django = wrk(bare_path, bearer, port=PORT + 1)
            sql, params = search_sql(TOWN, q, 50)
            raw = raw_sql(sql, params)
            print(f"   {label:<26} API {api['rps']:>7,.0f} req/s  p50 {api['p50_ms']:5.1f}  p95 {api['p95_ms']:5.1f}  "
                  f"p99 {api['p99_ms']:5.1f} ms  (errors {api['errors']}) | raw SQL {raw['rps']:>7,.0f} q/s  "
                  f"p95 {raw['p95_ms']:5.1f} ms | bare Django view, same query {bare_django['rps']:,.0f} req/s "
                  f"p95 {bare_django['p95_ms']:.1f} ms (API/bare {api['rps'] / bare_django['rps']:.2f})")  # fmt: skip
            shown = plan(sql, params)
            print(shown)
            if "Seq Scan on veterans_veteran" in shown:
                print("   !! sequential scan of the veterans table")
    finally:
        for process in (server, bare_server):
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=10)


if __name__ == "__main__":
    run()

"""Benefits batch: generate_batch for 300,000 active entitlements, beside one INSERT … SELECT (the floor).

Run by `make bench` (`python -m bench benefits_generate`), in the throw-away bench database. The loader is
the bench's own: the veterans through veterans.demo (COPY), then the entitlements with one COPY
(core.db.copy_into), one a person, clean (every line payable), owed one month: 2026-11, with no line
before it. Each measurement runs in a transaction that is rolled back, but the last generation, whose
batch the summary and the page are timed on.
"""

from __future__ import annotations

import cProfile
import datetime as dt
import io
import json
import os
import pstats
import random
import time
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Sum
from django.test import Client

from accounts.testing import UserFactory
from benefits.batches import line_totals
from benefits.demo import load_standards
from benefits.entitlements import account_hash
from benefits.generation import LINE_COLUMNS, area_of, generate_batch, open_batch
from benefits.models import Entitlement, PaymentLine, Program
from core.crypto import encrypt
from core.db import analyze, copy_into
from regions.demo import CITY_CODE, load_network
from regions.models import Region
from veterans.demo import load_veterans
from veterans.models import Veteran

N = int(os.environ.get("BENCH_ENTITLEMENTS", "300000"))
PERIOD = dt.date(2026, 11, 1)
TODAY = dt.date(2026, 11, 20)
TARGET_RATIO = 3.0
TARGET_PAGE_MS = 300
PROFILE = os.environ.get("BENCH_PROFILE", "auto")  # auto: profile when over the target; "1": always
#: an experiment: another fillfactor than the schema's 70 (which keeps the watermark UPDATE in place)
FILLFACTOR = int(os.environ.get("BENCH_FILLFACTOR", "0"))

#: (program, share): the mix of a province's roll (no family programs: one entitlement a veteran)
MIX = [("disability", 0.10), ("war_participant", 0.45), ("rural_elderly", 0.30), ("sick_returned", 0.05),
       ("demobilised", 0.02), ("nursing", 0.08)]  # fmt: skip

ENTITLEMENT_COLUMNS = (
    "veteran_id", "family_member_id", "beneficiary_name", "beneficiary_id_enc", "beneficiary_id_hash", "id_valid",
    "program_id", "grade", "cause", "agreed_amount", "from_month", "to_month", "bank_name", "account_enc",
    "account_hash", "status", "status_reason", "died_on", "confirmed_year", "settled_through", "region_code",
    "import_batch", "created_at", "updated_at",
)  # fmt: skip


def load(actor: Any) -> float:
    """Veterans, standards and N entitlements; returns the seconds the entitlements' COPY took."""
    if Veteran.objects.filter(status="living").count() < N:
        load_veterans(int(N / 0.95) + 1000, chunk=50000)  # about one in 25 demo veterans has died
    with transaction.atomic():
        load_standards(actor)
    programs = {p.code: p for p in Program.objects.all()}
    rng = random.Random(3)
    now = dt.datetime.now(dt.UTC)
    account_enc = encrypt("6230910000000000000")  # the cipher text is never read here; the hashes differ
    # read before the COPY starts: the COPY holds the connection
    living = Veteran.objects.filter(status="living").order_by("id")
    veterans = list(living.values_list("id", "name", "id_number_enc", "id_hash", "region_code")[:N])

    def rows() -> Any:
        for index, (vid, name, id_enc, id_hash, region) in enumerate(veterans):
            share, code = index / N, MIX[-1][0]
            for code_, weight in MIX:
                if share < weight:
                    code = code_
                    break
                share -= weight
            program = programs[code]
            grade = rng.randint(1, 10) if code == "disability" else (rng.randint(1, 4) if code == "nursing" else 0)
            cause = rng.choice(("war", "duty", "illness")) if code == "disability" else ""
            yield (vid, None, name, id_enc, id_hash, True, program.pk, grade, cause, None, dt.date(2015, 1, 1), None,
                   "浙江农商银行", account_enc, account_hash(f"623091{index:013d}"), "active", "", None, 2026,
                   dt.date(2026, 10, 1), region, "bench", now, now)  # fmt: skip

    started = time.perf_counter()
    with transaction.atomic():
        copy_into(Entitlement, ENTITLEMENT_COLUMNS, rows())
    seconds = time.perf_counter() - started
    analyze(Entitlement)
    return seconds


FLOOR_SQL = """
INSERT INTO benefits_paymentline ({columns})
SELECT %(batch)s, id, %(period)s, 'regular', 'base', 1, amount, standard_id, amount, held,
       CASE WHEN held = '' THEN id || '-' || %(yyyymm)s || '-B-1' END, NULL, region_code, program_id, now(), ''
FROM (
  SELECT e.id, e.region_code, e.program_id, s.id AS standard_id, s.amount,
         CASE WHEN coalesce(e.died_on, CASE WHEN e.family_member_id IS NULL THEN v.deceased_on END)
                   < %(period)s THEN 'deceased'
              WHEN e.status = 'suspended' THEN 'suspended'
              WHEN NOT e.id_valid THEN 'invalid_id'
              WHEN e.confirmed_year < %(year)s THEN 'unconfirmed'
              WHEN shared.account_hash IS NOT NULL THEN 'shared_account'
              WHEN e.agreed_amount IS NOT NULL AND e.agreed_amount <> s.amount THEN 'amount_differs'
              ELSE '' END AS held
  FROM benefits_entitlement e
  JOIN veterans_veteran v ON v.id = e.veteran_id
  JOIN benefits_program p ON p.id = e.program_id
  JOIN LATERAL (
      SELECT st.id, st.amount FROM benefits_standard st
      WHERE st.program_id = e.program_id AND st.grade = CASE WHEN p.by_grade THEN e.grade ELSE 0 END
        AND st.cause = CASE WHEN p.causes = '[]'::jsonb THEN '' ELSE e.cause END
        AND st.effective_from <= %(period)s
      ORDER BY st.effective_from DESC, st.published_at DESC, st.id DESC LIMIT 1
  ) s ON true
  LEFT JOIN (
      SELECT account_hash FROM benefits_entitlement WHERE status <> 'ended' AND region_code LIKE %(prefix)s
      GROUP BY account_hash HAVING count(DISTINCT beneficiary_id_hash) > 1
  ) shared ON shared.account_hash = e.account_hash
  WHERE e.region_code LIKE %(prefix)s AND e.from_month <= %(period)s AND e.status <> 'ended'
    AND (e.settled_through IS NULL OR e.settled_through < %(period)s)
) planned
"""

SETTLE_SQL = """
UPDATE benefits_entitlement SET settled_through = %(period)s
WHERE region_code LIKE %(prefix)s AND from_month <= %(period)s AND status <> 'ended'
  AND (settled_through IS NULL OR settled_through < %(period)s)
"""


def vacuum() -> None:
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE benefits_entitlement")
        cursor.execute("VACUUM ANALYZE benefits_paymentline")


class Rollback(Exception):
    pass


def floor(actor: Any) -> tuple[float, float, int]:
    """The INSERT … SELECT alone, and with the watermark UPDATE that generation also does (rolled back)."""
    area = area_of(actor)
    params = {"period": PERIOD, "year": 2026, "yyyymm": f"{PERIOD:%Y%m}", "prefix": area.prefix + "%"}
    try:
        with transaction.atomic():
            batch = open_batch(actor, area, PERIOD)
            with connection.cursor() as cursor:
                started = time.perf_counter()
                cursor.execute(FLOOR_SQL.format(columns=", ".join(LINE_COLUMNS)), {**params, "batch": batch.pk})
                rows = cursor.rowcount
                insert = time.perf_counter() - started
                cursor.execute(SETTLE_SQL, params)
                both = time.perf_counter() - started
            raise Rollback
    except Rollback:
        pass
    return insert, both, rows


def generate(actor: Any, *, keep: bool, profile: bool = False) -> tuple[float, Any]:
    profiler = cProfile.Profile() if profile else None
    result = None
    try:
        with transaction.atomic():
            started = time.perf_counter()
            if profiler is not None:
                profiler.enable()
            result = generate_batch(actor=actor, period=PERIOD, today=TODAY)
            if profiler is not None:
                profiler.disable()
            seconds = time.perf_counter() - started
            if not keep:
                raise Rollback
    except Rollback:
        pass
    if profiler is not None:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
        print("\n".join("      " + line for line in out.getvalue().splitlines() if line.strip()))
    return seconds, result


def timed(fn: Any, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best * 1000


def report(name: str, **values: Any) -> None:
    print("   " + json.dumps({"bench": name, **values}, ensure_ascii=False, default=str))


def run() -> None:
    load_network()
    city = Region.objects.get(code=CITY_CODE)
    actor = UserFactory(username="bench_benefits", role="city_staff", scope_region=city)
    started = time.perf_counter()
    copy_seconds = load(actor)
    active = Entitlement.objects.filter(status="active").count()
    print(f"   loaded {active:,} active entitlements in {time.perf_counter() - started:.1f} s "
          f"(their COPY {copy_seconds:.1f} s, {active / copy_seconds:,.0f} rows/s)")  # fmt: skip

    if FILLFACTOR:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE benefits_entitlement SET (fillfactor = {FILLFACTOR:d})")
            cursor.execute("VACUUM FULL benefits_entitlement")
        print(f"   benefits_entitlement rewritten with fillfactor {FILLFACTOR} (instead of the schema's 70)")
    # Each in turn on a vacuumed table: a rolled-back UPDATE leaves a dead version of every row it touched.
    vacuum()
    floors = [floor(actor)]
    vacuum()
    first, _ = generate(actor, keep=False)
    vacuum()
    floors.append(floor(actor))
    vacuum()
    kept, result = generate(actor, keep=True)
    insert, both, rows = min(floors)
    best = min(first, kept)
    ratio = best / insert
    report("floor: INSERT … SELECT (baseline)", lines=rows, seconds=[round(f[0], 2) for f in floors],
           lines_per_s=round(rows / insert))  # fmt: skip
    report("floor + settled_through UPDATE", lines=rows, seconds=[round(f[1], 2) for f in floors])
    report("generation.generate_batch", lines=result.added + result.held, seconds=[round(first, 2), round(kept, 2)],
           lines_per_s=round((result.added + result.held) / best), ratio_to_floor=round(ratio, 2),
           ratio_to_floor_with_update=round(best / both, 2), target=f"≤ {TARGET_RATIO}×",
           ok=ratio <= TARGET_RATIO)  # fmt: skip
    assert result.total > Decimal("0") and result.held == 0, result

    batch = result.batch

    def by_program() -> list[dict[str, Any]]:
        lines = PaymentLine.objects.filter(batch=batch).values("program_id")
        return list(lines.annotate(n=Count("id"), total=Sum("amount")).order_by("program_id"))

    report("batch summary: line_totals", ms=round(timed(lambda: line_totals(batch)), 1))
    report("batch summary: GROUP BY program", ms=round(timed(by_program), 1))
    client = Client()
    client.force_login(actor)
    url = f"/benefits/batches/{batch.case_id}/"
    response = client.get(url)
    page_ms = timed(lambda: client.get(url), repeat=3)
    report("batch page (GET " + url + ")", status=response.status_code, ms=round(page_ms, 1),
           bytes=len(response.content), target=f"< {TARGET_PAGE_MS} ms", ok=page_ms < TARGET_PAGE_MS,
           note="" if len(response.content) > 2000 else "a placeholder page in this tree")  # fmt: skip

    if PROFILE == "1" or (PROFILE == "auto" and ratio > TARGET_RATIO):
        print("   profile of generate_batch (cumulative, top 25):")
        _profile_next(actor)


def _profile_next(actor: Any) -> None:
    """Profile a fresh generation: one more month is owed by everyone (rolled back)."""
    global PERIOD, TODAY
    saved = PERIOD, TODAY
    PERIOD, TODAY = dt.date(2026, 12, 1), dt.date(2026, 12, 20)
    try:
        generate(actor, keep=False, profile=True)
    finally:
        PERIOD, TODAY = saved


if __name__ == "__main__":
    run()

"""Contact coverage: one town's coverage page at the province's scale.

Run by `make bench BENCH=care_coverage` (`python -m bench care_coverage`), in the throw-away bench database.
Province scale: 1,500,000 veterans (BENCH_VETERANS) through veterans.demo (COPY), and a year of visits written
by COPY (core.db.copy_into): each living veteran contacted 0 to 3 times in the last twelve months (on average
1.5, about 2,250,000 rows), so some are overdue. About 8% of the veterans are 优抚对象 (a special-care category
in force, contacted quarterly) and 1% are key people (tagged, monthly), as veterans.demo makes them. Then
VACUUM ANALYZE, as after any bulk load.

Timed (median of 20), for the town with the most living veterans:
(a) ``care.figures.coverage(town)``: the town's row and one per village, counted by GROUP BY over the registry
    annotated with each person's frequency and whether a visit falls within it (care.selectors.with_contacted);
(b) the coverage page ``GET /care/?region=<town>`` as that town's staff open it, through Django's test client
    (middleware, session, template); target < 100 ms.
For comparison, the same for the city holding that town (not a target).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import statistics
import time
from typing import Any

from django.db import connection
from django.db.models import Count
from django.test import Client
from django.utils import timezone

from accounts.testing import UserFactory
from care.figures import coverage
from care.models import Visit
from core.db import copy_into
from regions.demo import load_network
from regions.models import Level, Region, ancestor_code
from veterans.choices import Status
from veterans.demo import PROVINCE_CODE, load_veterans
from veterans.models import Veteran

VETERANS = int(os.environ.get("BENCH_VETERANS", "1500000"))
TARGET_PAGE_MS = 100
CHUNK = 200_000
MODES = ("home", "phone", "wechat", "station")


def report(name: str, **values: Any) -> None:
    print("   " + json.dumps({"bench": name, **values}, ensure_ascii=False, default=str))


def median_ms(fn: Any, repeat: int = 20) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def load_visits(actor: Any) -> int:
    """A year of visits for the living veterans, by COPY; how many."""
    rng = random.Random(13)
    today = timezone.localdate()
    now = timezone.now().isoformat()
    living = Veteran.objects.filter(status=Status.LIVING).order_by("id").values_list("id", "region_code")
    buffer: list[str] = []
    written = 0
    for pk, code in living.iterator(chunk_size=CHUNK):
        for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
            day = today - dt.timedelta(days=rng.randrange(365))
            buffer.append(f"{pk}\t{code}\t{day.isoformat()}\t{rng.choice(MODES)}\t\t{actor.pk}\t{now}\n")
        if len(buffer) >= CHUNK:
            copy_into(Visit, ("veteran_id", "region_code", "visited_on", "mode", "note", "recorded_by_id",
                              "recorded_at"), ["".join(buffer)], as_text=lambda chunk: chunk[0].encode())  # fmt: skip
            written += len(buffer)
            buffer = []
    if buffer:
        copy_into(Visit, ("veteran_id", "region_code", "visited_on", "mode", "note", "recorded_by_id", "recorded_at"),
                  ["".join(buffer)], as_text=lambda chunk: chunk[0].encode())  # fmt: skip
        written += len(buffer)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE care_visit")
        cursor.execute("VACUUM ANALYZE veterans_veteran")
        cursor.execute("VACUUM ANALYZE veterans_veterancategory")
    return written


def largest_town() -> Region:
    towns: dict[str, int] = {}
    by_code = Veteran.objects.filter(status=Status.LIVING).values("region_code").annotate(n=Count("id")).order_by()
    for row in by_code.iterator():
        code = row["region_code"]
        if len(code) >= 12 and code[6:9] != "000":
            town = ancestor_code(code, Level.TOWN)
            towns[town] = towns.get(town, 0) + row["n"]
    code = max(towns, key=lambda c: (towns[c], c))
    return Region.objects.get(code=code)


def signed_in(area: Region, role: str, name: str) -> Client:
    staff = UserFactory(username=name, role=role, scope_region=area)
    client = Client()
    client.force_login(staff)
    return client


def page(client: Client, url: str, **query: str) -> tuple[float, int]:
    first = client.get(url, query)
    assert first.status_code == 200, first.status_code
    return median_ms(lambda: client.get(url, query)), first.content.count(b"<tr")


def run() -> None:
    load_network(province=True)
    province = Region.objects.get(code=PROVINCE_CODE)
    actor = UserFactory(username="bench_care", role="city_staff", scope_region=province)
    started = time.perf_counter()
    load_veterans(VETERANS, province=True, chunk=50000)
    loaded_veterans = time.perf_counter() - started
    started = time.perf_counter()
    visits = load_visits(actor)
    print(f"   loaded {Veteran.objects.count():,} veterans in {loaded_veterans:.1f} s and {visits:,} visits in "
          f"{time.perf_counter() - started:.1f} s")  # fmt: skip

    town = largest_town()
    total, villages = coverage(town.code)
    report(f"care.figures.coverage({town.code} {town.name})", living=total["living"], contacted=total["contacted"],
           rate=total["rate"], villages=len(villages), ms=round(median_ms(lambda: coverage(town.code)), 1))  # fmt: skip
    town_staff = signed_in(town, "town_staff", "bench_care_town")
    ms, rows = page(town_staff, "/care/", region=town.code)
    report(f"the town's coverage page GET /care/?region={town.code}", table_rows=rows, ms=round(ms, 1),
           target=f"< {TARGET_PAGE_MS} ms", ok=ms < TARGET_PAGE_MS)  # fmt: skip
    # the town's home and inbox count its overdue people for the station's reminder (capped at 1000)
    for url in ("/", "/tasks/"):
        ms, _rows = page(town_staff, url)
        report(f"for comparison: the town station's GET {url} (with its overdue reminder)", ms=round(ms, 1))
    city = Region.objects.get(code=ancestor_code(town.code, Level.CITY))
    city_total, _towns = coverage(city.code)
    ms, _rows = page(signed_in(city, "city_staff", "bench_care_city"), "/care/", region=city.code)
    report(f"for comparison: the city's page GET /care/?region={city.code} ({city.name})",
           living=city_total["living"], ms=round(ms, 1))  # fmt: skip


if __name__ == "__main__":
    run()

"""Synthetic Pinghu veterans for the demo and the benchmarks.

Distributions follow the seed page where it gives numbers (about 567 Party
members with 50 or more years in the Party, about 150 disabled veterans in
20,000) and plausible shapes elsewhere. Every ID number is well formed (GB
11643) on the 330482 prefix; none is a real person's.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Iterator
from typing import Any

from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from core.context import batch
from core.db import analyze
from core.validators import IdNumber, build_id_number
from regions.demo import synthetic_name, synthetic_phone
from regions.models import Level, Region
from veterans.models import Tag, Veteran, VeteranCategory
from veterans.services import apply_data, insert_veterans
from veterans.validation import VeteranData

DEMO_BATCH = "demo"
_BRANCHES = (
    ["army"] * 60
    + ["navy"] * 10
    + ["air_force"] * 10
    + ["rocket_force"] * 6
    + ["armed_police"] * 12
    + ["joint_logistics"] * 2
)
_DISCHARGE = (
    ["discharged"] * 70 + ["demobilised"] * 10 + ["transferred"] * 10 + ["retired"] * 5 + ["monthly_pension"] * 5
)
_EDUCATION = ["junior_high"] * 30 + ["high_school"] * 35 + ["college"] * 20 + ["bachelor"] * 12 + ["primary"] * 3


def _birth(rng: random.Random) -> dt.date:
    # Ages 20 to 95, more of the middle-aged: a triangle peaking at 1970.
    year = int(rng.triangular(1931, 2005, 1972))
    return dt.date(year, rng.randint(1, 12), rng.randint(1, 28))


def _person(rng: random.Random, index: int, places: list[Region], used: set[str], today: dt.date) -> VeteranData:
    while True:
        birth = _birth(rng)
        male = rng.random() < 0.93
        sequence = rng.randrange(0, 999, 2) + (1 if male else 0)
        id_value = build_id_number("330482", birth, sequence)
        if id_value not in used:
            used.add(id_value)
            break
    enlisted = dt.date(min(birth.year + rng.randint(17, 22), today.year - 2), rng.choice((3, 9, 12)), 1)
    discharge_type = rng.choice(_DISCHARGE)
    years = rng.randint(2, 5) if discharge_type in ("discharged", "demobilised") else rng.randint(8, 30)
    discharged = min(dt.date(enlisted.year + years, 12, 1), today - dt.timedelta(days=30))
    age = today.year - birth.year
    party = rng.random() < (0.4 if age >= 66 else 0.3)
    joined = None
    if party:
        earliest = max(enlisted.year, birth.year + 18)
        joined = dt.date(
            rng.randint(earliest, max(earliest, min(earliest + 30, today.year - 1))), rng.randint(1, 12), 1
        )
    name = synthetic_name(rng, (1, 2, 2))
    phone = synthetic_phone(rng) if rng.random() < 0.85 else ""
    categories: list[str] = []
    grade, cause = None, ""
    if rng.random() < 0.0075:
        categories.append("disabled_soldier")
        grade, cause = rng.randint(1, 10), rng.choice(("war", "duty", "duty", "illness"))
    if age >= 60 and rng.random() < 0.05:
        categories.append("rural_over_60")
    if birth.year < 1965 and rng.random() < 0.02:
        categories.append("war_or_test_veteran")
    values = {
        "ethnicity": "汉族" if rng.random() < 0.98 else rng.choice(("回族", "满族", "土家族", "苗族")),
        "address": "",
        "hukou_region_code": "",
        "branch": rng.choice(_BRANCHES),
        "rank": "",
        "placement": "self_employed" if discharge_type == "discharged" else "",
        "awards": "三等功" if rng.random() < 0.03 else "",
        "political_status": "party_member" if party else rng.choice(("masses", "masses", "league_member")),
        "party_joined_on": joined,
        "education": rng.choice(_EDUCATION),
        "employment_status": "retired" if age >= 60 else rng.choice(("employed", "employed", "flexible")),
        "note": "",
    }
    region = places[index % len(places)]
    return VeteranData(
        name=name, id_number=IdNumber(id_value, birth, "M" if male else "F"), region=region,
        enlisted_on=enlisted, enlisted_precision="month", discharged_on=discharged, discharged_precision="month",
        discharge_type=discharge_type, values=values, categories=categories, disability_grade=grade,
        disability_cause=cause, phone=phone,
    )  # fmt: skip


def _records(count: int, places: list[Region], seed: int) -> Iterator[tuple[Veteran, VeteranData]]:
    rng = random.Random(seed)
    used = set()  # type: set[str]
    today = timezone.localdate()
    now = timezone.now()
    for index in range(count):
        data = _person(rng, index, places, used, today)
        veteran = Veteran(import_batch=DEMO_BATCH, created_at=now, updated_at=now)
        apply_data(veteran, data)
        if rng.random() < 0.04:
            veteran.status, veteran.deceased_on = "deceased", today - dt.timedelta(days=rng.randint(10, 3000))
            if veteran.deceased_on < veteran.discharged_on:
                veteran.status, veteran.deceased_on = "living", None
        yield veteran, data


def load_veterans(count: int, *, seed: int = 20221, chunk: int = 20000, stdout: Any = None) -> int:
    """Add synthetic veterans until the demo batch holds ``count``; return how many were added."""
    existing = Veteran.objects.filter(import_batch=DEMO_BATCH).count()
    if existing >= count:
        return 0
    places = list(Region.objects.filter(code__startswith="330482", level=Level.GRID).order_by("code"))
    if not places:
        raise RuntimeError("load the Pinghu network first (regions.demo.load_network)")
    tags = {t.code: t for t in Tag.objects.all()}
    records = _records(count, places, seed)
    for _ in range(existing):  # the same people as before, then the ones still missing
        next(records)
    added = 0
    started = time.perf_counter()
    with batch() as batch_id:
        while True:
            pairs = [pair for _, pair in zip(range(chunk), records, strict=False)]
            if not pairs:
                break
            with transaction.atomic():
                insert_veterans([v for v, _d in pairs])
                _extras(pairs, tags)
            added += len(pairs)
            if stdout is not None:
                rate = added / (time.perf_counter() - started)
                stdout.write(f"  … {existing + added:,} veterans ({rate:,.0f}/s)")
        with transaction.atomic():
            audit_record(actor=None, action="demo.load_veterans", object_type="veterans.veteran",
                         object_id=batch_id, region_code="330482000000", after={"added": added})  # fmt: skip
    analyze(Veteran)
    return added


def _extras(pairs: list[tuple[Veteran, VeteranData]], tags: dict[str, Tag]) -> None:
    """Categories and tags of the new rows (whose ids insert_veterans has set)."""
    wanted = {v.id_hash: (v, d) for v, d in pairs if d.categories or _tagged(v.id_hash)}
    categories = []
    links = []
    for id_hash, (veteran, data) in wanted.items():
        for code in data.categories:
            grade = data.disability_grade if code == "disabled_soldier" else None
            categories.append(VeteranCategory(veteran_id=veteran.pk, category=code, start_date=data.discharged_on,
                                              end_date=veteran.deceased_on, disability_grade=grade,
                                              disability_cause=data.disability_cause if grade else ""))  # fmt: skip
        if _tagged(id_hash) and "hardship" in tags:
            links.append(Veteran.tags.through(veteran_id=veteran.pk, tag_id=tags["hardship"].pk))
    VeteranCategory.objects.bulk_create(categories, batch_size=2000)
    Veteran.tags.through.objects.bulk_create(links, batch_size=2000)


def _tagged(id_hash: str) -> bool:
    """About one in fifty people carries the hardship tag (deterministic by the keyed hash)."""
    return int(id_hash[:4], 16) % 50 == 0

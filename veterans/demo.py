"""Synthetic veterans for the demo and the benchmarks, in Pinghu's real villages (or Zhejiang's).

Distributions follow the seed page where it gives numbers (about 567 Party
members with 50 or more years in the Party, about 150 disabled veterans in
20,000) and plausible shapes elsewhere. Every ID number is well formed (GB
11643) on the prefix of the person's county (330482 in Pinghu); none is a real
person's. Addresses are made up on the real town and village names: 平湖市新埭镇
姚浜村5组18号 in a village, a street address (平湖市当湖街道梅园路118号3幢402室) in
a community.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from core.context import batch
from core.db import analyze
from core.validators import IdNumber, build_id_number
from regions.demo import CITY_CODE, synthetic_name, synthetic_phone
from regions.divisions import divisions, is_community, short_name
from regions.models import Level, Region
from veterans.models import Tag, Veteran, VeteranCategory
from veterans.services import apply_data, insert_veterans
from veterans.validation import VeteranData

DEMO_BATCH = "demo"
PROVINCE_CODE = "330000000000"
#: Pinghu's ~20,000 veterans of Zhejiang's ~1.5 million (DESIGN.md): its share of a province load.
PINGHU_SHARE = 20000 / 1_500_000
#: the seed page's veterans with 50 or more years in the Party, in Pinghu (the demo is calibrated to it when Pinghu
#: holds at least ``PARTY_50_FROM`` demo veterans)
PARTY_50 = 567
PARTY_50_FROM = 10000
#: Above this many veterans the demo loads the province (a prefecture such as Jiaxing has ~100,000).
PROVINCE_ABOVE = 100_000
_ROADS = ("人民路", "解放路", "新华路", "建设路", "胜利路", "环城路", "中山路", "东湖路", "朝阳路", "文化路", "工业路",
          "新兴路", "城南路", "兴平路", "长安路")  # fmt: skip
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


@dataclass(frozen=True)
class Place:
    """Where a demo veteran lives: the region they are registered in (a grid or a village) and the
    names an address is written with."""

    region: Region
    county: str  # as an address starts: 平湖市, 杭州市上城区
    town: str
    village: str  # the everyday name: 姚浜村, 梅园社区
    community: bool  # a street address, not a village's 组 and number

    @property
    def id_prefix(self) -> str:
        return self.region.code[:6]


def places(regions: Iterable[Region]) -> list[Place]:
    """The places of these regions (grids or villages on official codes), named from the division table."""
    names = {d.code: d.name for d in divisions()}
    found = []
    for region in regions:
        code = region.code
        county = names.get(code[:6] + "000000", "")
        if not county.endswith("市"):  # a district or county is written with its city: 杭州市上城区
            county = names.get(code[:4] + "00000000", "") + county
        village = names.get(code[:12], "")
        found.append(Place(region, county, names.get(code[:9] + "000", ""), short_name(village), is_community(code)))
    return found


def _address(rng: random.Random, place: Place) -> str:
    if place.community:
        base = place.village.removesuffix("社区")
        road = rng.choice((f"{base}路", rng.choice(_ROADS))) if len(base) == 2 else rng.choice(_ROADS)
        room = f"{rng.randint(1, 18)}{rng.randint(1, 4):02d}"
        return f"{place.county}{place.town}{road}{rng.randint(1, 399)}号{rng.randint(1, 30)}幢{room}室"
    return f"{place.county}{place.town}{place.village}{rng.randint(1, 16)}组{rng.randint(1, 99)}号"


def _person(rng: random.Random, index: int, places: Sequence[Place], used: set[str], today: dt.date) -> VeteranData:
    place = places[index % len(places)]
    while True:
        birth = _birth(rng)
        male = rng.random() < 0.93
        sequence = rng.randrange(0, 999, 2) + (1 if male else 0)
        id_value = build_id_number(place.id_prefix, birth, sequence)
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
        "address": _address(rng, place),
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
    return VeteranData(
        name=name, id_number=IdNumber(id_value, birth, "M" if male else "F"), region=place.region,
        enlisted_on=enlisted, enlisted_precision="month", discharged_on=discharged, discharged_precision="month",
        discharge_type=discharge_type, values=values, categories=categories, disability_grade=grade,
        disability_cause=cause, phone=phone,
    )  # fmt: skip


def _deceased_on(rng: random.Random, today: dt.date, discharged_on: dt.date) -> dt.date | None:
    """About one in 25 has died (never before their discharge)."""
    if rng.random() >= 0.04:
        return None
    died = today - dt.timedelta(days=rng.randint(10, 3000))
    return died if died >= discharged_on else None


def _records(count: int, places: Sequence[Place], seed: int, skip: int = 0) -> Iterator[tuple[Veteran, VeteranData]]:
    """The stream's people after the first ``skip`` (drawn again, not stored: the same people every time)."""
    rng = random.Random(seed)
    used = set()  # type: set[str]
    today = timezone.localdate()
    now = timezone.now()
    for index in range(skip + count):
        data = _person(rng, index, places, used, today)
        died = _deceased_on(rng, today, data.discharged_on)
        if index < skip:
            continue
        veteran = Veteran(import_batch=DEMO_BATCH, created_at=now, updated_at=now)
        apply_data(veteran, data)
        if died:
            veteran.status, veteran.deceased_on = "deceased", died
        yield veteran, data


def load_veterans(
    count: int, *, province: bool = False, seed: int = 20221, chunk: int = 20000, stdout: Any = None
) -> int:
    """Add synthetic veterans until the demo batch holds ``count``; return how many were added.

    In Pinghu they are spread over its 412 grids. With ``province`` Pinghu keeps its share
    (``PINGHU_SHARE``, 20,000 of 1.5 million) and the rest are spread over every other village of
    Zhejiang. Each part is its own stream of people, so a load that grows an earlier one adds the
    people that come next, never the same ones again."""
    pinghu = Veteran.objects.filter(import_batch=DEMO_BATCH, region_code__startswith=CITY_CODE[:6]).count()
    elsewhere = Veteran.objects.filter(import_batch=DEMO_BATCH).count() - pinghu
    add_pinghu = max(0, (round(count * PINGHU_SHARE) if province else count) - pinghu)
    add_elsewhere = max(0, count - pinghu - add_pinghu - elsewhere) if province else 0
    if not add_pinghu + add_elsewhere:
        return 0
    grids = places(Region.objects.filter(code__startswith=CITY_CODE[:6], level=Level.GRID).order_by("code"))
    if not grids:
        raise RuntimeError("load the Pinghu network first (regions.demo.load_network)")
    streams = [_records(add_pinghu, grids, seed, skip=pinghu)]
    if add_elsewhere:
        villages = places(Region.objects.filter(level=Level.VILLAGE).exclude(code__startswith=CITY_CODE[:6])
                          .order_by("code"))  # fmt: skip
        if not villages:
            raise RuntimeError("load the province first (regions.demo.load_network(province=True))")
        random.Random(seed).shuffle(villages)  # a small load still spans the province, not Hangzhou alone
        streams.append(_records(add_elsewhere, villages, seed + 1, skip=elsewhere))
    records = chain(*streams)
    tags = {t.code: t for t in Tag.objects.all()}
    existing = pinghu + elsewhere
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
                         object_id=batch_id, region_code=PROVINCE_CODE if province else CITY_CODE,
                         after={"added": added})  # fmt: skip
    if add_pinghu:
        calibrate_party_age()
    analyze(Veteran)
    return added


def calibrate_party_age(today: dt.date | None = None) -> int:
    """Make Pinghu's living demo veterans with 50 or more years in the Party exactly the seed page's 567 today:
    the drawn dates give about that many; the senior members nearest the line are moved across it (a year past
    it, so that the count holds for a while), and never anyone too young to have joined at 18. Answers how many
    dates it moved."""
    from veterans.selectors import years_ago
    from veterans.validation import PARTY

    today = today or timezone.localdate()
    pinghu = Veteran.objects.filter(import_batch=DEMO_BATCH, region_code__startswith=CITY_CODE[:6], status="living",
                                    political_status__in=PARTY, party_joined_on__isnull=False)  # fmt: skip
    if Veteran.objects.filter(import_batch=DEMO_BATCH, region_code__startswith=CITY_CODE[:6]).count() < PARTY_50_FROM:
        return 0
    line = years_ago(50, today)
    have = pinghu.filter(party_joined_on__lte=line).count()
    if have < PARTY_50:
        # old enough to have joined at 18 a year before the line
        joined = line.replace(year=line.year - 1)
        ids = list(pinghu.filter(party_joined_on__gt=line, birth_date__lte=years_ago(18, joined))
                   .order_by("party_joined_on", "pk").values_list("pk", flat=True)[: PARTY_50 - have])  # fmt: skip
    elif have > PARTY_50:
        joined = line.replace(year=line.year + 1)
        ids = list(pinghu.filter(party_joined_on__lte=line).order_by("-party_joined_on", "pk")
                   .values_list("pk", flat=True)[: have - PARTY_50])  # fmt: skip
    else:
        return 0
    return Veteran.objects.filter(pk__in=ids).update(party_joined_on=joined)


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

"""The Pinghu (平湖, 330482) service network for the demo, on the official division codes.

Official, from ``regions/data/zhejiang_divisions_2023.csv`` (the National Bureau of Statistics'
统计用区划代码, 2023): the codes and names of 平湖市, its 9 towns/streets and its 136 villages and
communities (with ``province=True``, every division of Zhejiang). Synthetic, with the seed page's
counts: 412 grids (第N网格, three or four in each village), 420 grid leaders appointed (412 in
office, 8 rotated out), the stations' names, heads, phones and addresses, and which of them carry
the 9 national-model and 18 provincial "Fengqiao" designations.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from core.context import batch
from core.db import copy_into, reserve_ids
from regions.divisions import Division, divisions, divisions_under, short_name
from regions.models import (
    LEVEL_ORDER,
    PREFIX_LENGTH,
    Designation,
    GridLeaderTerm,
    Level,
    Region,
    Station,
    StationDesignation,
    StationKind,
)

CITY_CODE = "330482000000"
CITY_NAME = "平湖市"
GRIDS_PER_VILLAGE = 3
GRIDS = 412  # the seed page's 412 "老兵壹家" grids: three in each of the 136 villages, four in a few
ROTATED_OUT = 8  # leaders who served and handed over: 412 + 8 = 420 appointed
NATIONAL_MODEL = 9
PROVINCIAL_FENGQIAO = 18
_ADDRESS = "浙江省嘉兴市平湖市"

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕"
    "丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_GIVEN = "建国军华明伟强磊勇杰涛斌超辉刚平东林峰志兵海波宏亮新春文龙德忠诚红英丽芳敏静燕霞玲"


class StaleNetwork(RuntimeError):
    """The database holds regions of an older demo, whose codes were not the official ones."""


@dataclass
class DemoNetwork:
    created: dict[str, int] = field(default_factory=dict)
    town_codes: dict[str, str] = field(default_factory=dict)
    first_village: str = ""
    first_grid: str = ""


def synthetic_name(rng: random.Random, given_lengths: tuple[int, ...] = (1, 2)) -> str:
    """A plausible Chinese name for demo data (the grid leaders here, the veterans in veterans.demo)."""
    return rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice(given_lengths)))


def synthetic_phone(rng: random.Random) -> str:
    return f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"


def grid_name(village_name: str, number: int) -> str:
    return f"{short_name(village_name)}第{number}网格"


def _check_not_stale(official: set[str]) -> None:
    stale = (
        Region.objects.filter(code__startswith=CITY_CODE[:6])
        .exclude(level=Level.GRID)
        .exclude(code__in=official)
        .values_list("code", "name")[:3]
    )
    if stale:
        shown = ", ".join(f"{code} {name}" for code, name in stale)
        raise StaleNetwork(
            f"数据库中有旧版演示的非官方区划（{shown}…）：请删除 var/laobing.sqlite3 和 var/audit-anchors.log"
            "（旧数据库审计链的锚点）或换用新数据库后重新运行。 / "
            f"The database holds an older demo's made-up division codes ({shown}…): delete var/laobing.sqlite3 "
            "and var/audit-anchors.log (the old database's audit anchors), or use a fresh database, and run the "
            "demo again."
        )


_COLUMNS = ["id", "code", "prefix", "name", "level", "parent_id", "created_at", "updated_at"]


def _add_regions(new: list[tuple[str, str, str, str]], have: dict[str, int]) -> int:
    """Write these (code, name, level, parent code) regions at once; add their ids to ``have``."""
    now = timezone.now()
    ids = reserve_ids(Region, len(new))
    rows = [
        (pk, code, code[: PREFIX_LENGTH[level]], name, str(level), have[parent] if parent else None, now, now)
        for pk, (code, name, level, parent) in zip(ids, new, strict=True)
    ]
    copy_into(Region, _COLUMNS, rows)
    have.update((row[1], row[0]) for row in rows)
    return len(rows)


def _ensure_divisions(wanted: list[Division], have: dict[str, int]) -> int:
    """Create the divisions missing from ``have`` (code → id), a level at a time, parents first."""
    created = 0
    for level in LEVEL_ORDER[:-1]:
        new = [(d.code, d.name, level, d.parent_code) for d in wanted if d.level == level and d.code not in have]
        created += _add_regions(new, have)
    return created


@transaction.atomic
def load_network(*, province: bool = False) -> DemoNetwork:
    """Create whatever part of the network is missing; running it twice changes nothing.

    With ``province`` every town and village of Zhejiang is loaded too (no stations or grids there:
    the service network is Pinghu's)."""
    rng = random.Random(330482)  # same demo every time
    result = DemoNetwork()
    pinghu = divisions_under(CITY_CODE[:6])
    _check_not_stale({d.code for d in pinghu})
    by_code = {d.code: d for d in divisions()}
    wanted = list(divisions()) if province else [by_code[CITY_CODE[:2].ljust(12, "0")],
                                                by_code[CITY_CODE[:4].ljust(12, "0")], *pinghu]  # fmt: skip
    have = dict(Region.objects.filter(code__startswith="33").values_list("code", "id"))
    created = _ensure_divisions(wanted, have)
    villages = [d for d in pinghu if d.level == Level.VILLAGE]
    four = set(rng.sample(range(len(villages)), GRIDS - GRIDS_PER_VILLAGE * len(villages)))
    grid_codes: list[str] = []
    new_grids: list[tuple[str, str, str, str]] = []
    for i, village in enumerate(villages):
        for number in range(1, GRIDS_PER_VILLAGE + (2 if i in four else 1)):
            code = f"{village.code}{number:03d}"
            grid_codes.append(code)
            if code not in have:
                new_grids.append((code, grid_name(village.name, number), Level.GRID, village.code))
    created += _add_regions(new_grids, have)
    result.created["regions"] = created

    network = Region.objects.filter(code__startswith=CITY_CODE[:6]).in_bulk(field_name="code")
    city = network[CITY_CODE]
    towns = [network[d.code] for d in pinghu if d.level == Level.TOWN]
    grids = [network[code] for code in grid_codes]
    result.town_codes = {t.name: t.code for t in towns}
    result.first_village, result.first_grid = villages[0].code, grids[0].code
    result.created["stations"] = _stations(rng, city, towns, [network[d.code] for d in villages])
    result.created["designations"] = _designations(rng)
    result.created["leader_terms"] = _leaders(rng, grids)

    if any(result.created.values()):
        with batch():
            audit_record(
                actor=None,
                action="demo.load_network",
                object_type="regions.region",
                object_id=city.code,
                object_repr=CITY_NAME,
                region_code=city.code,
                after=result.created,
            )
    return result


def _stations(rng: random.Random, city: Region, towns: list[Region], villages: list[Region]) -> int:
    """One station per region above grid level: the city's centre, 9 town and 136 village stations."""
    have = set(Station.objects.filter(region__code__startswith=CITY_CODE[:6]).values_list("region__code", flat=True))
    town_names = {t.code: t.name for t in towns}
    new = []
    for r in [city, *towns, *villages]:
        if r.code in have:
            continue
        if r.level == Level.CITY:
            kind, name, address = StationKind.CENTRE, f"{CITY_NAME}退役军人服务中心", f"{_ADDRESS}退役军人事务局"
        elif r.level == Level.TOWN:
            kind, name, address = StationKind.TOWN_STATION, f"{r.name}退役军人服务站", f"{_ADDRESS}{r.name}便民服务中心"
        else:
            village = short_name(r.name)
            kind, name = StationKind.VILLAGE_STATION, f"{village}退役军人服务站"
            address = f"{_ADDRESS}{town_names[r.code[:9] + '000']}{village}党群服务中心"
        new.append(
            Station(
                region=r,
                kind=kind,
                name=name,
                address=address,
                phone=f"0573-85{rng.randint(100000, 999999)}",
                head_name=synthetic_name(rng),
                full_time_staff=rng.randint(1, 4) if kind != StationKind.VILLAGE_STATION else 1,
                part_time_staff=rng.randint(0, 3),
                opened_on=dt.date(2019, rng.randint(1, 12), 1),
            )
        )
    Station.objects.bulk_create(new)
    return len(new)


def _designations(rng: random.Random) -> int:
    """9 national-model and 18 provincial "Fengqiao" stations: the town stations and a sample of villages'."""
    if StationDesignation.objects.exists():
        return 0
    stations = Station.objects.filter(region__code__startswith=CITY_CODE[:6]).order_by("region__code")
    town_stations = list(stations.filter(kind=StationKind.TOWN_STATION))
    village_stations = list(stations.filter(kind=StationKind.VILLAGE_STATION))
    national = town_stations[:4] + rng.sample(village_stations, NATIONAL_MODEL - 4)
    fengqiao = town_stations[4:] + rng.sample(
        [s for s in village_stations if s not in national], PROVINCIAL_FENGQIAO - len(town_stations[4:])
    )
    StationDesignation.objects.bulk_create(
        [StationDesignation(station=s, designation=Designation.NATIONAL_MODEL, year=rng.choice((2020, 2021)))
         for s in national]
        + [StationDesignation(station=s, designation=Designation.PROVINCIAL_FENGQIAO, year=rng.choice((2020, 2021)))
           for s in fengqiao]
    )  # fmt: skip
    return NATIONAL_MODEL + PROVINCIAL_FENGQIAO


def _leaders(rng: random.Random, grids: list[Region]) -> int:
    """A leader in office at every grid, and 8 who served before and handed over (420 appointed)."""
    if GridLeaderTerm.objects.filter(grid__code__startswith=CITY_CODE[:6]).exists():
        return 0
    terms = []
    rotated = set(rng.sample(range(len(grids)), ROTATED_OUT))
    for i, grid in enumerate(grids):
        start = dt.date(2021, rng.randint(3, 6), 1)
        if i in rotated:
            terms.append(
                GridLeaderTerm(
                    grid=grid,
                    leader_name=synthetic_name(rng),
                    leader_phone=synthetic_phone(rng),
                    start_date=start,
                    end_date=dt.date(2022, 12, 31),
                    note="轮值交接",
                )
            )
            start = dt.date(2023, 1, 1)
        terms.append(
            GridLeaderTerm(
                grid=grid, leader_name=synthetic_name(rng), leader_phone=synthetic_phone(rng), start_date=start
            )
        )
    GridLeaderTerm.objects.bulk_create(terms)
    return len(terms)

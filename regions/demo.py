"""The Pinghu (平湖, 330482) service network for the demo.

Town codes follow the usual pattern (streets 001-003, towns 100-105) and
village codes are generated in the right shape; they are not the official
division codes. Counts follow the seed page: 9 towns/streets, ~400 village
stations, 412 grids, 420 grid leaders appointed (412 in office, 8 rotated
out), 9 national model and 18 provincial "Fengqiao" stations.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.db import transaction

from audit.services import audit_record
from core.context import batch
from regions.models import (
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
PREFECTURE = ("330400000000", "嘉兴市")
PROVINCE = ("330000000000", "浙江省")

#: (town code, name, number of villages/communities)
TOWNS: list[tuple[str, str, int]] = [
    ("330482001000", "当湖街道", 62),
    ("330482002000", "钟埭街道", 38),
    ("330482003000", "曹桥街道", 34),
    ("330482100000", "乍浦镇", 48),
    ("330482101000", "新埭镇", 44),
    ("330482102000", "新仓镇", 42),
    ("330482103000", "独山港镇", 46),
    ("330482104000", "广陈镇", 40),
    ("330482105000", "林埭镇", 46),
]
EXTRA_GRIDS = 12  # villages with a second grid: 400 villages, 412 grids
ROTATED_OUT = 8  # leaders who served and handed over: 412 + 8 = 420 appointed
NATIONAL_MODEL = 9
PROVINCIAL_FENGQIAO = 18

_FIRST = "东西南北金银新长永兴和安富康平乐福宁华明春秋丰泰广大小山河湖海港塘桥林溪"
_SECOND = "星光阳庄湾浜港塘泾桥洋家园里坊埭镇桥浦田港宅圩荡泉"
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕"
    "丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_GIVEN = "建国军华明伟强磊勇杰涛斌超辉刚平东林峰志兵海波宏亮新春文龙德忠诚红英丽芳敏静燕霞玲"


@dataclass
class DemoNetwork:
    created: dict[str, int] = field(default_factory=dict)
    town_codes: dict[str, str] = field(default_factory=dict)
    first_village: str = ""
    first_grid: str = ""


def _village_names(rng: random.Random, count: int) -> list[str]:
    names: set[str] = set()
    while len(names) < count:
        suffix = "社区" if rng.random() < 0.3 else "村"
        names.add(rng.choice(_FIRST) + rng.choice(_SECOND) + suffix)
    return sorted(names)


def synthetic_name(rng: random.Random, given_lengths: tuple[int, ...] = (1, 2)) -> str:
    """A plausible Chinese name for demo data (the grid leaders here, the veterans in veterans.demo)."""
    return rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice(given_lengths)))


def synthetic_phone(rng: random.Random) -> str:
    return f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"


@transaction.atomic
def load_network() -> DemoNetwork:
    """Create whatever part of the network is missing; running it twice changes nothing."""
    rng = random.Random(330482)  # same demo every time
    result = DemoNetwork()
    existing = {r.code: r for r in Region.objects.filter(code__startswith="33")}
    new_regions: list[Region] = []

    def region(code: str, name: str, level: str, parent: Region | None) -> Region:
        found = existing.get(code)
        if found is None:
            found = Region(
                code=code,
                name=name,
                level=level,
                parent=parent,
                prefix=code[: PREFIX_LENGTH[level]],
            )
            found.save()
            existing[code] = found
            new_regions.append(found)
        return found

    province = region(PROVINCE[0], PROVINCE[1], Level.PROVINCE, None)
    prefecture = region(PREFECTURE[0], PREFECTURE[1], Level.PREFECTURE, province)
    city = region(CITY_CODE, CITY_NAME, Level.CITY, prefecture)
    villages: list[Region] = []
    grids: list[Region] = []
    extra_left = EXTRA_GRIDS
    for town_code, town_name, n_villages in TOWNS:
        town = region(town_code, town_name, Level.TOWN, city)
        result.town_codes[town_name] = town_code
        for i, name in enumerate(_village_names(rng, n_villages), start=1):
            village = region(f"{town_code[:9]}{i:03d}", name, Level.VILLAGE, town)
            villages.append(village)
            n_grids = 2 if extra_left > 0 and i % 5 == 1 else 1
            if n_grids == 2:
                extra_left -= 1
            for g in range(1, n_grids + 1):
                grids.append(
                    region(
                        f"{village.code}{g:03d}",
                        f"{name}老兵壹家{g}号网格" if n_grids > 1 else f"{name}老兵壹家",
                        Level.GRID,
                        village,
                    )
                )
    result.first_village, result.first_grid = villages[0].code, grids[0].code
    result.created["regions"] = len(new_regions)

    stations_by_code = {s.region.code: s for s in Station.objects.select_related("region")}
    new_stations = []
    for r in [city, *[existing[t[0]] for t in TOWNS], *villages]:
        if r.code not in stations_by_code:
            kind = {Level.CITY: StationKind.CENTRE, Level.TOWN: StationKind.TOWN_STATION}.get(
                r.level, StationKind.VILLAGE_STATION
            )  # type: ignore[call-overload]
            suffix = "退役军人服务中心" if kind == StationKind.CENTRE else "退役军人服务站"
            new_stations.append(
                Station(
                    region=r,
                    kind=kind,
                    name=f"{r.name}{suffix}",
                    address=f"浙江省嘉兴市平湖市{r.name}便民服务中心",
                    phone=f"0573-85{rng.randint(100000, 999999)}",
                    head_name=synthetic_name(rng),
                    full_time_staff=rng.randint(1, 4) if kind != StationKind.VILLAGE_STATION else 1,
                    part_time_staff=rng.randint(0, 3),
                    opened_on=dt.date(2019, rng.randint(1, 12), 1),
                )
            )
    Station.objects.bulk_create(new_stations)
    result.created["stations"] = len(new_stations)

    if not StationDesignation.objects.exists():
        town_stations = list(Station.objects.filter(kind=StationKind.TOWN_STATION).order_by("region__code"))
        village_stations = list(Station.objects.filter(kind=StationKind.VILLAGE_STATION).order_by("region__code"))
        national = town_stations[:4] + rng.sample(village_stations, NATIONAL_MODEL - 4)
        fengqiao = town_stations[4:] + rng.sample(
            [s for s in village_stations if s not in national], PROVINCIAL_FENGQIAO - len(town_stations[4:])
        )
        StationDesignation.objects.bulk_create(
            [
                StationDesignation(station=s, designation=Designation.NATIONAL_MODEL, year=rng.choice((2020, 2021)))
                for s in national
            ]
            + [
                StationDesignation(
                    station=s, designation=Designation.PROVINCIAL_FENGQIAO, year=rng.choice((2020, 2021))
                )
                for s in fengqiao
            ]
        )
        result.created["designations"] = NATIONAL_MODEL + PROVINCIAL_FENGQIAO

    if not GridLeaderTerm.objects.filter(grid__code__startswith="330482").exists():
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
        result.created["leader_terms"] = len(terms)

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

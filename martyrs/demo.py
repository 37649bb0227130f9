"""A demo of the martyrs' register for Pinghu's demo, made through the real services.

- 施奇烈士 is real: the register holds only what the bureau's 2022 page says (the documentary《丹娘》) and what is
  certain (female, of 平湖); every other field is left blank, so her page shows it as 待核实. No family member
  of hers is invented.
- Eleven other martyrs are synthetic (``synthetic=True``, shown as 示例数据（虚构）), each with one or two family
  members registered in the registry (category 烈士遗属, in Pinghu's villages and grids, drawn by the veterans
  demo's helpers), their 一人一档 records and responsible persons; a few visits and needs through care's own
  services (the same objects as every other visit and need).
- Four facilities: 平湖市烈士陵园 (named on the page: its 提质改造 is done, so its condition is 完好; its other
  details are left blank) and three synthetic ones; upkeep rows and 清明 visits of remembrance, each marked
  （演示）.

Deterministic (one seeded generator, dates counted back from today); loads nothing when a martyr exists already.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.roles import Role
from care.services import NeedInput, VisitInput, need_raise, visit_log
from core.context import batch as audit_batch
from martyrs.models import Martyr, MartyrFamily
from martyrs.services import (
    MartyrInput,
    MemorialInput,
    RecordInput,
    family_link,
    martyr_create,
    memorial_create,
    record_update,
    remembrance_record,
    responsible_assign,
    upkeep_record,
)
from regions.demo import CITY_CODE, synthetic_name
from regions.models import Level, Region
from veterans.demo import _person, places
from veterans.models import Veteran
from veterans.services import veteran_create

SEED = 2022
SHI_QI = MartyrInput(name="施奇", region=CITY_CODE, gender="F", native_place="平湖",
                     deeds="平湖市退役军人事务局推出施奇烈士纪录片《丹娘》（据2022年报道）。")  # fmt: skip
#: (name, kind, where: "city", "town" or "village", condition, note)
FACILITIES = (
    ("平湖市烈士陵园", "cemetery", "city", "good", "烈士陵园提质改造项目已全面完成（据2022年报道）；其余信息待核实。",
     False),
    ("当湖街道革命烈士纪念碑（演示）", "monument", "town", "fair", "示例数据（虚构）", True),
    ("乍浦镇烈士墓（演示）", "tomb", "other_town", "repair", "示例数据（虚构）：碑文风化，待修缮", True),
    ("村社区崇军教育基地（演示）", "education_base", "village", "good", "示例数据（虚构）", True),
)  # fmt: skip
#: (born, sacrificed, unit, place of sacrifice, deeds): the synthetic martyrs' facts, all invented
MARTYRS = (
    ("1921", "1945-03", "新四军浙东游击纵队（演示）", "浙东（演示）", "在一次反“扫荡”战斗中掩护群众转移，壮烈牺牲。"),
    ("1926-05", "1949-05", "第三野战军某部（演示）", "上海郊区（演示）", "解放战争中冲锋在前，英勇牺牲。"),
    ("1930", "1951-11", "中国人民志愿军某部（演示）", "朝鲜（演示）", "抗美援朝战争中坚守阵地，壮烈牺牲。"),
    ("1932-02", "1952-06", "中国人民志愿军某部（演示）", "朝鲜（演示）", "为抢救战友英勇牺牲。"),
    ("1946", "1969-03", "边防部队某部（演示）", "东北边境（演示）", "在边境自卫还击中牺牲。"),
    ("1958-07", "1979-02", "陆军某部（演示）", "西南边境（演示）", "在自卫还击作战中牺牲。"),
    ("1965-09", "1985-07", "陆军某部（演示）", "西南边境（演示）", "在边境防御作战中牺牲。"),
    ("1977-04", "1998-08", "陆军某部（演示）", "长江大堤（演示）", "在抗洪抢险中牺牲。"),
    ("1986-10", "2008-05", "武警部队某部（演示）", "四川（演示）", "在抗震救灾中牺牲。"),
    ("1994-01", "2015-08", "消防救援队伍某部（演示）", "天津（演示）", "在灭火救援中牺牲。"),
    ("1999-06", "2020-06", "边防部队某部（演示）", "西部边境（演示）", "在边境冲突中英勇牺牲。"),
)
RELATIONS = ("child", "sibling", "spouse", "child", "parent")
LIVING = ("独居，身体尚可（演示）", "与子女同住（演示）", "年事已高，行动不便（演示）", "家庭收入偏低（演示）")
SCHOOLING = ("", "孙子在读高中（演示）", "", "子女在读大学（演示）")
EMPLOYMENT = ("退休（演示）", "在本地企业务工（演示）", "灵活就业（演示）", "待业，有就业意愿（演示）")
BENEFITS = ("定期抚恤金按月发放（演示）", "优待金已落实（演示）", "医疗优待已落实（演示）", "抚恤金已发放（演示）")


def _user(users: dict[str, Any], role: str, code: str) -> Any:
    return next((u for u in users.values() if u.role == role and u.scope_region and code.startswith(u.scope_prefix)),
                None)  # fmt: skip


def _responsible(users: dict[str, Any], code: str) -> Any:
    """The station user nearest the person: their village's, else their town's, else the city's."""
    return (_user(users, Role.VILLAGE_STAFF, code) or _user(users, Role.TOWN_STAFF, code)
            or _user(users, Role.CITY_STAFF, code))  # fmt: skip


def _grids(first_village: str) -> list[Region]:
    """Where the families live: the first village's grids first (its station and grid leader see them), then a
    grid of each other village of its town, then of other towns."""
    grids = list(Region.objects.filter(code__startswith=CITY_CODE[:6], level=Level.GRID).order_by("code"))
    own = [g for g in grids if g.code.startswith(first_village)]
    town = first_village[:9]
    near = [g for g in grids if g.code.startswith(town) and g not in own][::7]
    far = [g for g in grids if not g.code.startswith(town)][::29]
    chosen = own[:4] + near[:8] + far[:12]
    return chosen if len(chosen) >= len(MARTYRS) or not chosen else [chosen[i % len(chosen)] for i in range(24)]


def _kin(rng: random.Random, actor: Any, grid: Region, index: int, used: set[str]) -> Veteran:
    """A family member registered in the registry as 烈士遗属 (a synthetic person of the veterans demo's kind)."""
    today = timezone.localdate()
    place = places([grid])
    while True:
        data = _person(rng, index, place, used, today)
        data = dataclasses.replace(data, categories=["martyr_family"], disability_grade=None, disability_cause="",
                                   values={**data.values, "note": "示例数据（虚构）：烈士遗属"})  # fmt: skip
        try:
            return veteran_create(actor=actor, data=data)
        except ValidationError:  # an ID number the veterans demo drew already: draw another person
            continue


def _facilities(city: Any, first_village: str) -> list[Any]:
    town = Region.objects.get(code=first_village[:9] + "000")
    other = Region.objects.filter(level=Level.TOWN, code__startswith=CITY_CODE[:6]).exclude(pk=town.pk).order_by(
        "code").first()  # fmt: skip
    where = {"city": CITY_CODE, "town": town.code, "other_town": other.code if other else town.code,
             "village": first_village}  # fmt: skip
    made = []
    for name, kind, at, condition, note, synthetic in FACILITIES:
        data = MemorialInput(name=name, kind=kind, region=where[at], condition=condition, note=note,
                             synthetic=synthetic)  # fmt: skip
        made.append(memorial_create(actor=city, data=data))
    return made


def _qingming(today: dt.date) -> dt.date:
    this_year = dt.date(today.year, 4, 4)
    return this_year if this_year <= today else dt.date(today.year - 1, 4, 4)


def _upkeep_and_remembrance(city: Any, memorials: list[Any], today: dt.date) -> tuple[int, int]:
    rows = [
        (memorials[0], 400, "烈士陵园提质改造工程（演示金额）", "1280000.00", "平湖市退役军人事务局（演示）"),
        (memorials[0], 30, "墓区保洁、绿化修剪（演示）", "3600.00", "陵园管理处（演示）"),
        (memorials[1], 200, "碑体清洗（演示）", "1500.00", "当湖街道服务站（演示）"),
        (memorials[2], 60, "现场查勘：碑文风化（演示）", "0.00", "乍浦镇服务站（演示）"),
        (memorials[3], 90, "展板更新（演示）", "8200.00", "村社区服务站（演示）"),
    ]
    for memorial, days, work, cost, by in rows:
        upkeep_record(actor=city, memorial=memorial, done_on=today - dt.timedelta(days=days), work=work,
                      cost=Decimal(cost), done_by=by)  # fmt: skip
    qingming = _qingming(today)
    visits = [
        (memorials[0], "平湖市退役军人事务局 清明祭扫（演示）", 60),
        (memorials[0], "平湖市某中学 清明祭扫（演示）", 320),
        (memorials[1], "当湖街道中心小学 清明祭扫（演示）", 150),
        (memorials[3], "村社区老兵壹家 清明缅怀（演示）", 25),
    ]
    for memorial, group, people in visits:
        remembrance_record(actor=city, memorial=memorial, visited_on=qingming, group=group, people=people,
                           note="示例数据（虚构）")  # fmt: skip
    return len(rows), len(visits)


def load_martyrs_demo(users: dict[str, Any], first_village: str) -> dict[str, int]:
    """Load the martyrs demo (see the module's docstring); return what was added."""
    added: dict[str, int] = {}
    city = _user(users, Role.CITY_STAFF, CITY_CODE)
    grids = _grids(first_village)
    if Martyr.objects.exists() or city is None or not grids:
        return added
    rng = random.Random(SEED)  # noqa: S311 (demo data, drawn the same every time)
    today = timezone.localdate()
    used: set[str] = set()
    with audit_batch(), transaction.atomic():
        memorials = _facilities(city, first_village)
        martyr_create(actor=city, data=dataclasses.replace(SHI_QI))
        families: list[MartyrFamily] = []
        for index, (born, sacrificed, unit, place, deeds) in enumerate(MARTYRS):
            home = grids[index]
            native = Region.objects.get(code=home.code[:12])
            memorial = memorials[(0, 0, 1, 0, 2)[index % 5]]
            martyr = martyr_create(actor=city, data=MartyrInput(
                name=synthetic_name(rng, (1, 2)), region=native.code, gender="M" if index % 5 else "F", born=born,
                sacrificed=sacrificed, native_place=f"平湖市{native.name}", unit=unit, place_of_sacrifice=place,
                deeds="示例数据（虚构）：" + deeds, memorial=memorial.pk, burial_place=memorial.name, synthetic=True,
            ))  # fmt: skip
            for member in range(1 + (index % 2)):
                where = grids[(index + member * 11) % len(grids)]
                person = _kin(rng, city, where, index * 2 + member, used)
                link = family_link(actor=city, martyr=martyr, veteran_id=person.pk,
                                   relation=RELATIONS[(index + member) % len(RELATIONS)])  # fmt: skip
                responsible = _responsible(users, person.region_code)
                if responsible is not None and (index + member) % 6:  # a few wait for theirs: the figures show it
                    link = responsible_assign(actor=city, family=link, user=responsible)
                k = (index + member) % 4
                record = RecordInput(living=LIVING[k], schooling=SCHOOLING[k], employment=EMPLOYMENT[k],
                                     benefits=BENEFITS[k])  # fmt: skip
                record_update(actor=city, family=link, data=record)
                families.append(link)
        visits, needs = _care(users, city, families, today)
        upkeep, remembrances = _upkeep_and_remembrance(city, memorials, today)
    added["martyrs (1 real, the rest synthetic)"] = len(MARTYRS) + 1
    added["martyr family members with their 一人一档 records"] = len(families)
    added["visits and needs of martyr families"] = visits + needs
    added["memorial facilities"] = len(memorials)
    added["upkeep records and visits of remembrance"] = upkeep + remembrances
    return added


def _care(users: dict[str, Any], city: Any, families: list[MartyrFamily], today: dt.date) -> tuple[int, int]:
    """A few visits (上门 by the leaders' 走访慰问, 电话) and needs, logged through care by the responsible person
    (or the city's staff)."""
    visits = needs = 0
    for n, link in enumerate(families):
        if n % 3 == 2:
            continue  # not visited yet: overdue in the figures
        actor = link.responsible or city
        found = []
        if n % 8 == 0:
            found = [NeedInput("employment", "希望帮助推荐就业岗位（演示）")]
        elif n % 4 == 0:
            found = [NeedInput("schooling", "孙子上学需要帮扶（演示）")]
        day = today - dt.timedelta(days=10 + 7 * n)
        mode, note = ("home", "局领导带队走访慰问（演示）") if n % 2 else ("phone", "电话问候（演示）")
        visit_log(actor=actor, data=VisitInput(veteran_id=link.veteran_id, visited_on=day, mode=mode, note=note,
                                               needs=found))  # fmt: skip
        visits += 1
        needs += len(found)
    if families:
        need_raise(actor=city, veteran_id=families[1].veteran_id, need=NeedInput("medical", "住院费用报销咨询（演示）"))
        needs += 1
    return visits, needs

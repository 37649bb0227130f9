"""The example scheme a data migration seeds: 7 aspects, 27 items, and what points are redeemed for.

It follows the shape of 《平湖市“老兵本色”积分制服务管理办法》 (7 aspects, 27 items, 参与思政教育, 平安建设,
志愿服务, 争先创优 …), but its items and points are an example: the pages say so until the bureau publishes
its own scheme (a new version of each item, from the date it applies).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

#: the date the example versions are in force from
SINCE = dt.date(2025, 1, 1)

ALL = ["grid", "station", "veteran"]
STAFF = ["grid", "station"]
STATION = ["station"]

#: code, name, items: (code, name, basis, points, options)
ASPECTS: list[tuple[str, str, list[tuple[str, str, str, int, dict[str, Any]]]]] = [
    ("education", "参与思政教育", [
        ("study", "参加理论学习、主题党日等学习活动", "per_occasion", 2, {"quarter_cap": 12, "submitters": ALL, "evidence": "photo"}),
        ("lecture", "担任红色宣讲员开展宣讲", "per_occasion", 5, {"quarter_cap": 20, "submitters": STAFF, "evidence": "photo"}),
        ("school", "进校园开展国防教育", "per_occasion", 5, {"quarter_cap": 20, "submitters": STAFF, "evidence": "photo"}),
        ("story", "军旅故事被县级以上媒体刊播", "fixed", 10, {"year_cap": 30, "submitters": ALL, "evidence": "document", "town_from": 10}),
    ]),
    ("safety", "参与平安建设", [
        ("patrol", "参加平安巡防", "per_hour", 1, {"quarter_cap": 30, "submitters": STAFF, "evidence": "photo"}),
        ("mediation", "参与矛盾纠纷调解", "per_occasion", 3, {"quarter_cap": 15, "submitters": STAFF, "evidence": "none"}),
        ("emergency", "协助处置突发事件", "fixed", 10, {"quarter_cap": 20, "submitters": STAFF, "evidence": "photo"}),
        ("clue", "提供违法犯罪线索经查证属实", "fixed", 20, {"year_cap": 40, "submitters": STATION, "evidence": "document", "town_from": 20}),
    ]),
    ("volunteer", "参加志愿服务", [
        ("service", "参加志愿服务活动", "per_hour", 1, {"quarter_cap": 40, "submitters": ALL, "evidence": "photo"}),
        ("care", "结对关爱困难老兵、烈属", "per_occasion", 3, {"quarter_cap": 18, "submitters": STAFF, "evidence": "photo"}),
        ("blood", "参加无偿献血", "fixed", 10, {"year_cap": 20, "submitters": ALL, "evidence": "document"}),
        ("disaster", "参加抢险救灾", "per_occasion", 10, {"quarter_cap": 30, "submitters": STAFF, "evidence": "photo"}),
    ]),
    ("merit", "争先创优", [
        ("county", "获得县级表彰", "fixed", 20, {"submitters": ["station", "veteran"], "evidence": "document", "town_from": 20}),
        ("city", "获得地市级及以上表彰", "fixed", 40, {"submitters": ["station", "veteran"], "evidence": "document", "town_from": 20}),
        ("model", "当选“最美退役军人”等典型", "fixed", 50, {"submitters": STATION, "evidence": "document", "town_from": 20}),
        ("startup", "自主创业带动就业", "fixed", 15, {"year_cap": 15, "submitters": STATION, "evidence": "document"}),
    ]),
    ("governance", "参与基层治理", [
        ("cadre", "担任村社干部、网格员履职", "fixed", 5, {"quarter_cap": 5, "submitters": STATION, "evidence": "none"}),
        ("council", "参加村社议事协商", "per_occasion", 2, {"quarter_cap": 10, "submitters": STAFF, "evidence": "none"}),
        ("rural", "参与乡村振兴、共同富裕项目", "per_occasion", 5, {"quarter_cap": 20, "submitters": STAFF, "evidence": "photo"}),
        ("civility", "参与文明创建、垃圾分类督导", "per_hour", 1, {"quarter_cap": 20, "submitters": ALL, "evidence": "photo"}),
    ]),
    ("support", "参与双拥共建", [
        ("activity", "参加双拥共建活动", "per_occasion", 3, {"quarter_cap": 15, "submitters": STAFF, "evidence": "photo"}),
        ("enlist", "动员适龄青年参军入伍", "fixed", 20, {"year_cap": 40, "submitters": STATION, "evidence": "document", "town_from": 20}),
        ("recruit", "参与征兵宣传", "per_occasion", 3, {"quarter_cap": 12, "submitters": STAFF, "evidence": "photo"}),
    ]),
    ("conduct", "遵规守纪", [
        ("covenant", "违反《老兵公约》经批评教育", "fixed", 5, {"deduction": True, "submitters": STATION, "evidence": "document"}),
        ("petition", "参与非正常上访", "fixed", 20, {"deduction": True, "submitters": STATION, "evidence": "document"}),
        ("penalty", "受到治安管理处罚", "fixed", 30, {"deduction": True, "submitters": STATION, "evidence": "document"}),
        ("crime", "受到刑事处罚", "fixed", 50, {"deduction": True, "submitters": STATION, "evidence": "document"}),
    ]),
]  # fmt: skip

#: code, name, kind, cost, stock (None: no limit), description
REWARDS: list[tuple[str, str, str, int, int | None, str]] = [
    ("honours", "评先评优优先推荐", "honour", 100, None, "“最美退役军人”等评选时优先推荐"),
    ("gift-box", "新春慰问礼包", "gift", 50, 200, "春节前到服务站领取"),
    ("books", "军史书籍一套", "gift", 30, 100, ""),
    ("checkup", "免费健康体检一次", "service", 80, None, "到定点医院体检"),
    ("home-care", "居家养老服务券（2小时）", "service", 20, None, "家政、理发、助浴等"),
]


def seed(apps: Any, schema_editor: Any) -> None:
    Aspect = apps.get_model("points", "Aspect")
    Item = apps.get_model("points", "Item")
    ItemVersion = apps.get_model("points", "ItemVersion")
    Reward = apps.get_model("points", "Reward")
    for a_order, (a_code, a_name, items) in enumerate(ASPECTS):
        aspect, _ = Aspect.objects.update_or_create(code=a_code, defaults={"name": a_name, "order": a_order})
        for i_order, (i_code, name, basis, points, options) in enumerate(items):
            item, created = Item.objects.update_or_create(
                code=f"{a_code}-{i_code}", defaults={"aspect": aspect, "order": i_order}
            )
            if created:
                ItemVersion.objects.create(
                    item=item, effective_from=SINCE, name=name, basis=basis, points=points, **options
                )
    for order, (code, name, kind, cost, stock, description) in enumerate(REWARDS):
        Reward.objects.update_or_create(
            code=code,
            defaults={"name": name, "kind": kind, "cost": cost, "stock": stock, "description": description,
                      "order": order},
        )  # fmt: skip


def unseed(apps: Any, schema_editor: Any) -> None:
    """Before the seed: nothing of it is left (the tables are dropped with the migration)."""

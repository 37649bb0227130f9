"""The programs of 抚恤补助 as the bureau starts with them (a data migration seeds them; staff edit them)."""

from __future__ import annotations

from typing import Any

#: code, name, by grade, causes, pay month (yearly programs), back-pay after a late confirmation, for family
PROGRAMS: list[dict[str, Any]] = [
    {"code": "disability", "name": "残疾抚恤金", "by_grade": True, "causes": ["war", "duty", "illness"]},
    {"code": "survivor", "name": "定期抚恤金", "causes": ["martyr", "died_on_duty", "died_of_illness"],
     "for_family": True},
    {"code": "demobilised", "name": "在乡复员军人定期定量补助"},
    {"code": "sick_returned", "name": "带病回乡退伍军人生活补助"},
    {"code": "war_participant", "name": "参战参试退役人员生活补助"},
    {"code": "rural_elderly", "name": "60周岁以上农村籍退役士兵老年生活补助"},
    {"code": "conscript_family", "name": "义务兵家庭优待金", "pay_month": 8, "for_family": True,
     "backpay_on_confirm": False},
    {"code": "nursing", "name": "护理费", "by_grade": True},
]  # fmt: skip

#: pairs of programs a person may not draw at the same time
EXCLUSIVE = [
    ("demobilised", "sick_returned"),
    ("rural_elderly", "demobilised"),
    ("rural_elderly", "sick_returned"),
]


def seed(apps: Any, schema_editor: Any) -> None:
    Program = apps.get_model("benefits", "Program")
    by_code = {}
    for order, item in enumerate(PROGRAMS):
        values = {"by_grade": False, "causes": [], "pay_month": 0, "backpay_on_confirm": True, "for_family": False}
        values.update({k: v for k, v in item.items() if k != "code"})
        by_code[item["code"]], _ = Program.objects.update_or_create(
            code=item["code"], defaults={**values, "order": order}
        )
    for a, b in EXCLUSIVE:
        by_code[a].excludes.add(by_code[b])


def unseed(apps: Any, schema_editor: Any) -> None:
    apps.get_model("benefits", "Program").objects.filter(code__in=[p["code"] for p in PROGRAMS]).delete()

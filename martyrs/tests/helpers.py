"""Martyrs, their families and facilities for the tests of the martyrs' register."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from martyrs.models import Martyr, MartyrFamily, Memorial, Remembrance, Upkeep
from martyrs.services import (
    MartyrInput,
    MemorialInput,
    family_link,
    martyr_create,
    memorial_create,
    remembrance_record,
    responsible_assign,
    upkeep_record,
)
from regions.models import Region
from veterans.tests.factories import register

TODAY = timezone.localdate()


def kin(actor: Any, region: Region, **overrides: Any) -> Any:
    """A person of the registry recorded as 烈士遗属, living in the region."""
    return register(actor, region, categories=["martyr_family"], phone="13905731234", **overrides)


def martyr(actor: Any, region: Region, name: str = "张烈", **overrides: Any) -> Martyr:
    data = MartyrInput(name=name, region=region.code, gender="M", born="1920-03", sacrificed="1949",
                       unit="浙东游击纵队", synthetic=True, **overrides)  # fmt: skip
    return martyr_create(actor=actor, data=data)


def family(actor: Any, region: Region, *, of: Martyr | None = None, responsible: Any = None) -> MartyrFamily:
    """A family member in the region of a martyr registered there (or of ``of``), with a responsible person."""
    person = kin(actor, region)
    linked = family_link(actor=actor, martyr=of or martyr(actor, region), veteran_id=person.pk, relation="child")
    if responsible is not None:
        linked = responsible_assign(actor=actor, family=linked, user=responsible)
    return linked


def memorial(actor: Any, region: Region, name: str = "烈士纪念碑", **overrides: Any) -> Memorial:
    values = {"kind": "monument", "condition": "good", **overrides}
    return memorial_create(actor=actor, data=MemorialInput(name=name, region=region.code, **values))


def upkeep(actor: Any, place: Memorial, cost: str = "1200.00", days_ago: int = 3) -> Upkeep:
    return upkeep_record(actor=actor, memorial=place, done_on=TODAY - dt.timedelta(days=days_ago), work="碑体清洗",
                         cost=cost, done_by="园林所")  # fmt: skip


def remembrance(actor: Any, place: Memorial, people: int = 40) -> Remembrance:
    return remembrance_record(actor=actor, memorial=place, visited_on=TODAY, group="中心小学", people=people)

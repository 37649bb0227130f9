"""The veteran registry as an importable register (see core/imports.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.utils.translation import gettext_lazy as _

from core.context import current_batch_id
from core.imports import Column, Register
from core.permissions import require
from regions.models import Region
from veterans import choices as c
from veterans.models import Veteran, VeteranCategory
from veterans.services import (
    categories_for_id,
    id_lookup_hash,
    import_veterans,
    scope_regions,
    veteran_update,
)
from veterans.validation import VeteranData, clean_veteran

BATCH = 2000


def _terms(table: list[tuple[str, str, str]]) -> tuple[str, ...]:
    return tuple(zh for _v, _en, zh in table)


COLUMNS = [
    Column("姓名", "name", required=True, width=10, example="张三"),
    Column(
        "身份证号", "id_number", required=True, as_text=True, width=22, example="330482199001011234", sensitive=True
    ),
    Column("所属区划代码", "region_code", required=True, as_text=True, width=18, example="330482001001"),
    Column("入伍时间", "enlisted_on", required=True, example="2008-12 或 2008-12-01"),
    Column("退役时间", "discharged_on", required=True, example="2010-12"),
    Column("退役方式", "discharge_type", required=True, choices=_terms(c.DISCHARGE_TYPES)),
    Column("性别", "gender", choices=_terms(c.GENDERS), width=6),
    Column("出生日期", "birth_date"),
    Column("民族", "ethnicity", width=8, example="汉族"),
    Column("联系电话", "phone", as_text=True, width=14, sensitive=True),
    Column("现居住地址", "address", width=30),
    Column("军种", "branch", choices=_terms(c.BRANCHES)),
    Column("军衔", "rank", width=10),
    Column("政治面貌", "political_status", choices=_terms(c.POLITICAL_STATUSES)),
    Column("入党时间", "party_joined_on"),
    Column("文化程度", "education", choices=_terms(c.EDUCATION)),
    Column("安置方式", "placement", choices=_terms(c.PLACEMENTS)),
    Column("就业状态", "employment_status", choices=_terms(c.EMPLOYMENT)),
    Column("优抚对象类别", "categories", width=24, example="残疾军人；参战参试退役人员"),
    Column("残疾等级", "disability_grade", width=8, example="6"),
    Column("残疾性质", "disability_cause", choices=_terms(c.DISABILITY_CAUSES), width=8),
    Column("立功受奖", "awards", width=20),
    Column("备注", "note", width=20),
]


@dataclass
class Context:
    actor: Any
    regions: dict[str, Region]
    today: dt.date


def prepare(actor: Any) -> Context:
    require(actor, "veterans.import")
    return Context(actor=actor, regions=scope_regions(actor), today=dt.date.today())


def clean(raw: dict[str, Any], context: Context) -> VeteranData:
    return clean_veteran(raw, regions=context.regions, today=context.today)


def key(data: VeteranData) -> str:
    return id_lookup_hash(data.id_number.value)


def existing(keys: list[str], context: Context) -> dict[str, bool]:
    found: dict[str, bool] = {}
    prefix = context.actor.scope_prefix
    if connection.vendor == "postgresql":
        # One array parameter: with a thousand IN placeholders the driver spent longer splitting the
        # query text than the server took to answer it.
        with connection.cursor() as cursor:
            for start in range(0, len(keys), 10000):
                cursor.execute("SELECT id_hash, region_code FROM veterans_veteran WHERE id_hash = ANY(%s)",
                               [keys[start : start + 10000]])  # fmt: skip
                found.update((id_hash, code.startswith(prefix)) for id_hash, code in cursor.fetchall())
        return found
    for start in range(0, len(keys), 1000):
        chunk = keys[start : start + 1000]
        for id_hash, code in Veteran.objects.filter(id_hash__in=chunk).values_list("id_hash", "region_code"):
            found[id_hash] = code.startswith(prefix)
    return found


def write(actor: Any, rows: list[tuple[int, VeteranData]], found: dict[str, bool], on_duplicate: str,
          context: Context, progress: Any = None) -> dict[str, int]:  # fmt: skip
    """New people in one bulk load; existing ones skipped or updated one by one (audited)."""
    updated = skipped = 0
    new: list[tuple[str, VeteranData]] = []
    for _number, data in rows:
        id_hash = key(data)
        if id_hash in found:
            if on_duplicate == "update":
                veteran = Veteran.objects.get(id_hash=id_hash)
                veteran_update(actor=actor, veteran=veteran, data=data)
                updated += 1
            else:
                skipped += 1
            continue
        new.append((id_hash, data))
    created = import_veterans(new, len(new), import_batch=current_batch_id(), progress=progress)
    categories = [category for pk, data in created for category in categories_for_id(pk, data, data.discharged_on)]
    VeteranCategory.objects.bulk_create(categories, batch_size=BATCH)
    return {"created": len(created), "updated": updated, "skipped": skipped}


REGISTER = Register(
    name="veteran",
    title=_("Veteran registry"),
    columns=COLUMNS,
    prepare=prepare,
    clean=clean,
    key=key,
    existing=existing,
    write=write,
    duplicate_message=_("This ID number is already registered."),
    capability="veterans.import",
)

"""The veteran registry as an importable register (see core/imports.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.context import current_batch_id
from core.db import any_of
from core.imports import Column, Register
from core.parsing import Memo
from core.permissions import require
from core.validators import id_text
from regions.models import Region
from veterans import choices as c
from veterans.models import Tag, Veteran
from veterans.services import NewVeterans, id_lookup_hash, scope_regions, veteran_update
from veterans.validation import VeteranData, clean_veteran, tag_catalog


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
    Column("标签", "tags", width=16, example="困难；空巢"),
    Column("立功受奖", "awards", width=20),
    Column("备注", "note", width=20),
]


@dataclass
class Context:
    """What every row is checked against, read once before the rows (clean() must not query)."""

    actor: Any
    regions: dict[str, Region]
    tags: dict[str, Tag]
    today: dt.date
    memo: Memo = field(default_factory=Memo)


def prepare(actor: Any) -> Context:
    require(actor, "veterans.import")
    return Context(actor=actor, regions=scope_regions(actor), tags=tag_catalog(), today=timezone.localdate())


def clean(raw: dict[str, Any], context: Context) -> VeteranData:
    return clean_veteran(raw, regions=context.regions, today=context.today, memo=context.memo, tags=context.tags)


def key(raw_id_number: Any) -> str | None:
    """The keyed hash of the ID number as clean() will read it; a number cell is no ID number."""
    if raw_id_number is None or isinstance(raw_id_number, (int, float)):
        return None
    return id_lookup_hash(id_text(raw_id_number))


def existing(keys: list[str], context: Context) -> dict[str, bool]:
    prefix = context.actor.scope_prefix
    found: dict[str, bool] = {}
    for start in range(0, len(keys), 10000):
        hashes = Veteran.objects.filter(any_of("id_hash", keys[start : start + 10000]))
        found.update(
            (id_hash, code.startswith(prefix)) for id_hash, code in hashes.values_list("id_hash", "region_code")
        )
    return found


class Writer:
    """An import's writer: new people streamed in as they are checked; existing ones skipped, or updated
    one by one (each update audited) once the stream has closed."""

    def __init__(self, actor: Any, context: Context, on_duplicate: str, expected: int) -> None:
        self.actor, self.on_duplicate = actor, on_duplicate
        self.new = NewVeterans(import_batch=current_batch_id(), expected=expected)
        self.updates: list[tuple[str, VeteranData]] = []
        self.skipped = 0

    def add(self, key: str, data: VeteranData, in_scope: bool | None) -> None:
        if in_scope is None:
            self.new.add(key, data)
        elif self.on_duplicate == "update":
            self.updates.append((key, data))
        else:
            self.skipped += 1

    def close(self) -> None:
        self.new.close()

    def finish(self) -> dict[str, int]:
        created = self.new.finish()
        for id_hash, data in self.updates:
            veteran_update(actor=self.actor, veteran=Veteran.objects.get(id_hash=id_hash), data=data)
        return {"created": created, "updated": len(self.updates), "skipped": self.skipped}


REGISTER = Register(
    name="veteran",
    title=_("Veteran registry"),
    columns=COLUMNS,
    prepare=prepare,
    clean=clean,
    key_field="id_number",
    key=key,
    existing=existing,
    writer=Writer,
    duplicate_message=_("This ID number is already registered."),
    capability="veterans.import",
)

"""The register of needs, declared on the kit: what a list filters on and searches, and what a row shows
(the API's ``subject_router(NEEDS, ...)`` and the pages' ``list_page``/``detail_page`` read it)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from care.models import Need
from care.process import NEED
from core.ids import Id
from workflow.kit import Register, any_text


class NeedFilters(Schema):
    state: str = Field("", max_length=20)
    category: str = Field("", max_length=12)
    source: str = Field("", max_length=10)
    veteran: Id | None = None


class NeedOut(Schema):
    id: int
    case_id: int
    number: str
    veteran_id: int | None
    veteran_name: str
    category: str
    category_name: str
    description: str
    source: str
    visit_id: int | None
    handler_unit: str
    handler_department: str
    resolution: str
    resolved_on: dt.date | None
    satisfaction: str
    followed_up_on: dt.date | None
    reopened: int
    state: str
    region_code: str


def need_out(n: Need) -> dict[str, Any]:
    veteran = n.case.veteran
    return {
        "id": n.pk, "case_id": n.case_id, "number": n.case.number,
        "veteran_id": veteran.pk if veteran else None, "veteran_name": veteran.name if veteran else "",
        "category": n.category, "category_name": n.get_category_display(), "description": n.description,
        "source": n.source, "visit_id": n.visit_id, "handler_unit": n.handler_unit,
        "handler_department": n.handler_department, "resolution": n.resolution, "resolved_on": n.resolved_on,
        "satisfaction": n.satisfaction, "followed_up_on": n.followed_up_on, "reopened": n.reopened,
        "state": n.case.state, "region_code": n.region_code,
    }  # fmt: skip


NEEDS = Register(
    model=Need,
    process=NEED,
    path="needs",
    filters=NeedFilters,
    lookups={"state": "case__state", "veteran": "case__veteran_id"},
    search=any_text("case__number", "case__title", "description"),
    out=NeedOut,
    to_out=need_out,
)

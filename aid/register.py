"""The register of hardship applications, declared on the kit: what a list filters on and searches, and what a
row shows (the API's ``subject_router(APPLICATIONS, ...)`` and the pages' ``list_page``/``detail_page`` read it)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone
from ninja import Field, Schema

from aid.models import Application
from aid.process import APPLICATION
from core.ids import Id
from workflow.kit import Register, any_text


class ApplicationFilters(Schema):
    state: str = Field("", max_length=20)
    need: str = Field("", max_length=12)
    veteran: Id | None = None


class ApplicationOut(Schema):
    id: int
    case_id: int
    number: str
    veteran_id: int
    veteran_name: str
    need: str
    need_name: str
    circumstances: str
    requested: Decimal
    approved: Decimal | None
    refusal: str
    state: str
    #: the ceremony that paid its grant (null: not paid)
    ceremony_id: int | None
    proposed_on: dt.date
    region_code: str


def application_out(a: Application) -> dict[str, Any]:
    return {
        "id": a.pk, "case_id": a.case_id, "number": a.case.number, "veteran_id": a.veteran_id,
        "veteran_name": a.veteran.name, "need": a.need, "need_name": a.get_need_display(),
        "circumstances": a.circumstances, "requested": a.requested, "approved": a.approved, "refusal": a.refusal,
        "state": a.case.state, "ceremony_id": a.ceremony_id, "proposed_on": timezone.localdate(a.case.created_at),
        "region_code": a.region_code,
    }  # fmt: skip


APPLICATIONS = Register(
    model=Application,
    process=APPLICATION,
    path="aid/applications",
    filters=ApplicationFilters,
    lookups={"state": "case__state", "veteran": "veteran_id"},
    search=any_text("case__number", "case__title", "circumstances"),
    out=ApplicationOut,
    to_out=application_out,
    related=("case", "case__veteran", "veteran"),
)

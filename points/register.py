"""The register of points entries, declared on the kit: what a list filters on and searches, and what a row shows
(the API's ``subject_router(ENTRIES, ...)`` and the pages' ``list_page``/``detail_page`` read it)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from core.ids import Id
from points.models import Entry
from points.process import ENTRY
from workflow.kit import Register, any_text


class EntryFilters(Schema):
    state: str = Field("", max_length=20)
    #: a quarter's key (``2026Q3``)
    quarter: str = Field("", max_length=6)
    #: an item's code (``volunteer-service`` …)
    item: str = Field("", max_length=30)
    veteran: Id | None = None


class EntryOut(Schema):
    id: int
    case_id: int
    number: str
    item: str
    item_name: str
    aspect: str
    aspect_name: str
    day: dt.date
    quarter: str
    quantity: Decimal
    points_each: int
    people: int
    description: str
    submitted_as: str
    town_approval: bool
    veterans: list[int]
    state: str
    region_code: str


def entry_out(e: Entry) -> dict[str, Any]:
    veterans = [p.veteran_id for p in e.participants.all()]
    return {
        "id": e.pk,
        "case_id": e.case_id,
        "number": e.case.number,
        "item": e.item.code,
        "item_name": e.version.name,
        "aspect": e.item.aspect.code,
        "aspect_name": e.item.aspect.name,
        "day": e.day,
        "quarter": e.quarter,
        "quantity": e.quantity,
        "points_each": e.points_each,
        "people": len(veterans),
        "description": e.description,
        "submitted_as": e.submitted_as,
        "town_approval": e.town_approval,
        "veterans": veterans,
        "state": e.case.state,
        "region_code": e.region_code,
    }


ENTRIES = Register(
    model=Entry,
    process=ENTRY,
    path="points-entries",
    filters=EntryFilters,
    lookups={"state": "case__state", "quarter": "quarter", "item": "item__code", "veteran": "participants__veteran_id"},
    search=any_text("case__number", "case__title", "description"),
    out=EntryOut,
    to_out=entry_out,
    related=("case", "case__veteran", "item__aspect", "version"),
)

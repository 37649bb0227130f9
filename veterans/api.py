from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.db.models import CharField, QuerySet, Value
from django.http import Http404, HttpResponse
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from core.access import Target, endpoint
from core.crypto import decrypt_many
from core.db import Param, any_of
from core.ids import Id, Int64
from core.pagination import keyset_values_page
from core.prepared import Statement
from core.types import AuthedRequest
from core.validators import mask_id, mask_phone
from veterans import selectors, services
from veterans.models import FamilyMember, Veteran, VeteranCategory
from veterans.validation import clean_veteran

router = Router(tags=["veterans"])


class VeteranOut(Schema):
    id: int
    name: str
    gender: str
    birth_date: dt.date
    id_number_masked: str
    phone_masked: str
    region_code: str
    region_name: str
    enlisted_on: dt.date
    discharged_on: dt.date
    discharge_type: str
    branch: str
    political_status: str
    party_joined_on: dt.date | None
    status: str
    deceased_on: dt.date | None
    categories: list[str]
    tags: list[str]


class VeteranPage(Schema):
    items: list[VeteranOut]
    next: str | None


class VeteranIn(Schema):
    """The same fields as the import columns, by their English names; enumerations by code or Chinese term."""

    name: str | None = None
    id_number: str | None = None
    region_code: str | None = None
    enlisted_on: str | None = None
    discharged_on: str | None = None
    discharge_type: str | None = None
    gender: str | None = None
    birth_date: str | None = None
    ethnicity: str | None = None
    phone: str | None = None
    address: str | None = None
    hukou_region_code: str | None = None
    branch: str | None = None
    rank: str | None = None
    placement: str | None = None
    awards: str | None = None
    political_status: str | None = None
    party_joined_on: str | None = None
    education: str | None = None
    employment_status: str | None = None
    categories: list[str] | None = None
    disability_grade: Int64 | None = None
    disability_cause: str | None = None
    tags: list[str] | None = None
    note: str | None = None


class RevealIn(Schema):
    reason: str = Field(..., max_length=500)


class RevealOut(Schema):
    id_number: str


#: Plain model fields of VeteranOut, copied as they are.
_PLAIN = ["id", "name", "gender", "birth_date", "region_code", "enlisted_on", "discharged_on", "discharge_type",
          "branch", "political_status", "party_joined_on", "status", "deceased_on"]  # fmt: skip


_LIST_COLUMNS = [*_PLAIN, "id_number_enc", "phone_enc", "region__name"]

_DATES = ["birth_date", "enlisted_on", "discharged_on", "party_joined_on", "deceased_on"]


def _categories_and_tags_query() -> QuerySet[Any]:
    # order_by(): SQLite refuses an ORDER BY (from Meta.ordering) inside the parts of a UNION.
    ids = Param("ids")
    open_categories = (
        VeteranCategory.objects.filter(any_of("veteran_id", ids), end_date__isnull=True)
        .order_by()
        .values_list("veteran_id", Value("c", output_field=CharField()), "category")
    )
    tag_codes = (
        Veteran.tags.through.objects.filter(any_of("veteran_id", ids))
        .order_by()
        .values_list("veteran_id", Value("t", output_field=CharField()), "tag__code")
    )
    return open_categories.union(tag_codes, all=True)


#: Open categories ("c") and tags ("t") of a page's records, in one round trip. Compiled once: the ids
#: go as one parameter (with fifty placeholders the driver spent half a millisecond splitting the query
#: text on every request), and on PostgreSQL the statement is prepared, not planned again.
_CATEGORIES_AND_TAGS = Statement(_categories_and_tags_query)


def _list_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A page of the list from plain rows: one small query for categories and tags, no model instances;
    dates as text already, so that the JSON encoder needs no Python fallback."""
    ids = [row["id"] for row in rows]
    categories: dict[int, list[str]] = {}
    tags: dict[int, list[str]] = {}
    for veteran_id, kind, value in _CATEGORIES_AND_TAGS.rows(ids=ids):
        (categories if kind == "c" else tags).setdefault(veteran_id, []).append(value)
    id_numbers = decrypt_many([row.pop("id_number_enc") for row in rows])
    phones = decrypt_many([row.pop("phone_enc") for row in rows])
    for row, id_number, phone in zip(rows, id_numbers, phones, strict=True):
        for name in _DATES:
            if row[name] is not None:
                row[name] = row[name].isoformat()
        row["id_number_masked"] = mask_id(id_number)
        row["phone_masked"] = mask_phone(phone)
        row["region_name"] = row.pop("region__name")
        row["categories"] = categories.get(row["id"], [])
        row["tags"] = tags.get(row["id"], [])
    return rows


def _json(body: dict[str, Any]) -> HttpResponse:
    return HttpResponse(json.dumps(body, ensure_ascii=False), content_type="application/json")


def _get(request: AuthedRequest, pk: int) -> dict[str, Any]:
    """One record, built like a list row (404 outside the caller's scope)."""
    veteran = selectors.veteran_get(user=request.user, pk=pk)
    return _list_rows(list(Veteran.objects.filter(pk=veteran.pk).values(*_LIST_COLUMNS)))[0]


@router.get("/veterans", response=VeteranPage)
@endpoint("veterans.view")
def veterans_list(
    request: AuthedRequest, region: str = "", q: str = "", category: str = "", status: str = "",
    discharge_type: str = "", tag: str = "", limit: Int64 = 50, cursor: str = "",
) -> HttpResponse:  # fmt: skip
    """Veterans under the caller's scope, newest first; never a full ID number."""
    filters = selectors.VeteranFilters(region=region, q=q, category=category, status=status,
                                       discharge_type=discharge_type, tag=tag)  # fmt: skip
    # The compiled query is kept by the selector and its arguments; the day is one (age filters).
    rows, next_cursor = keyset_values_page(
        selectors.veteran_list, arguments={"user": request.user, "filters": filters, "today": timezone.localdate()},
        values=_LIST_COLUMNS, key="id", cursor=cursor or None, limit=limit, descending=True,
    )  # fmt: skip
    # Rendered here: the rows are already exactly the schema's shape, and validating 50 of them again
    # took as long as the query. The schema still documents the answer.
    return _json({"items": _list_rows(rows), "next": next_cursor})


@router.get("/veterans/{veteran_id}", response=VeteranOut)
@endpoint("veterans.view", target=Target(Veteran, "pk", "veteran_id"))
def veterans_get(request: AuthedRequest, veteran_id: Id) -> dict[str, Any]:
    return _get(request, veteran_id)


@router.post("/veterans", response={201: VeteranOut})
@endpoint("veterans.manage")
def veterans_create(request: AuthedRequest, payload: VeteranIn) -> Status:
    raw = payload.model_dump(exclude_none=True)
    data = clean_veteran(raw, regions=services.scope_regions(request.user, [raw.get("region_code")]))
    veteran = services.veteran_create(actor=request.user, data=data)
    return Status(201, _get(request, veteran.pk))


@router.patch("/veterans/{veteran_id}", response=VeteranOut)
@endpoint("veterans.manage", target=Target(Veteran, "pk", "veteran_id"))
def veterans_update(request: AuthedRequest, veteran_id: Id, payload: VeteranIn) -> dict[str, Any]:
    veteran = selectors.veteran_get(user=request.user, pk=veteran_id)
    raw = services.veteran_as_input(veteran) | payload.model_dump(exclude_unset=True)
    data = clean_veteran(raw, regions=services.scope_regions(request.user, [raw.get("region_code")]))
    services.veteran_update(actor=request.user, veteran=veteran, data=data)
    return _get(request, veteran.pk)


@router.post("/veterans/{veteran_id}/reveal-id", response=RevealOut)
@endpoint("veterans.reveal_id", target=Target(Veteran, "pk", "veteran_id"), no_store=True)
def veterans_reveal(request: AuthedRequest, veteran_id: Id, payload: RevealIn) -> dict[str, str]:
    """The full ID number, for users permitted to see it; the reason is recorded in the audit log."""
    veteran = selectors.veteran_get(user=request.user, pk=veteran_id)
    return {"id_number": services.veteran_reveal_id(actor=request.user, veteran=veteran, reason=payload.reason)}


class FamilyOut(Schema):
    id: int
    relation: str
    name: str
    id_number_masked: str
    is_military_family: bool


class FamilyIn(Schema):
    relation: str
    name: str
    id_number: str | None = None
    phone: str | None = None
    is_military_family: bool = False


@router.get("/veterans/{veteran_id}/family", response=list[FamilyOut])
@endpoint("veterans.view", target=Target(Veteran, "pk", "veteran_id"))
def family_list(request: AuthedRequest, veteran_id: Id) -> list[Any]:
    return list(selectors.veteran_get(user=request.user, pk=veteran_id).family.all())


@router.post("/veterans/{veteran_id}/family", response={201: FamilyOut})
@endpoint("veterans.manage", target=Target(Veteran, "pk", "veteran_id"))
def family_add(request: AuthedRequest, veteran_id: Id, payload: FamilyIn) -> Status:
    veteran = selectors.veteran_get(user=request.user, pk=veteran_id)
    member = services.family_member_add(actor=request.user, veteran=veteran, raw=payload.model_dump())
    return Status(201, member)


@router.delete("/veterans/{veteran_id}/family/{member_id}", response={204: None})
@endpoint("veterans.manage", target=Target(FamilyMember, "veteran_id", "veteran_id", also={"member_id": "pk"}))
def family_remove(request: AuthedRequest, veteran_id: Id, member_id: Id) -> Status:
    veteran = selectors.veteran_get(user=request.user, pk=veteran_id)
    member = veteran.family.filter(pk=member_id).first()
    if member is None:
        raise Http404
    services.family_member_remove(actor=request.user, member=member)
    return Status(204, None)

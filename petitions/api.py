"""The petitions API: register, list, read, ask for a review, print the letters. Steps go through /tasks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpResponse
from ninja import Field, Router, Schema, Status

from core.access import Target, endpoint
from core.pagination import keyset_page
from core.types import AuthedRequest
from petitions import selectors, services
from petitions.models import Petition
from petitions.process import PETITION, REVIEW
from workflow.api import CaseOut, case_out

router = Router(tags=["petitions"])


class PetitionIn(Schema):
    channel: str
    received_on: str
    subject: str
    content: str = Field(..., max_length=6000)
    veteran_id: int | None = None
    petitioner_name: str = Field("", max_length=100)
    phone: str = Field("", max_length=30)
    id_number: str = Field("", max_length=30)
    address: str = Field("", max_length=300)
    region_code: str = Field("", max_length=15)
    people: int = 1
    linked_number: str = Field("", max_length=30)
    link_kind: str = ""


class PetitionOut(Schema):
    id: int
    case_id: int
    number: str
    level: str
    channel: str
    received_on: dt.date
    subject: str
    content: str
    veteran_id: int | None
    petitioner_name: str
    phone_masked: str
    id_number_masked: str
    people: int
    linked_to: str | None
    link_kind: str
    satisfaction: str
    state: str
    region_code: str


def petition_out(p: Petition) -> dict[str, Any]:
    return {
        "id": p.pk,
        "case_id": p.case_id,
        "number": p.case.number,
        "level": p.level,
        "channel": p.channel,
        "received_on": p.received_on,
        "subject": p.subject,
        "content": p.content,
        "veteran_id": p.veteran_id,
        "petitioner_name": p.petitioner_name,
        "phone_masked": p.phone_masked,
        "id_number_masked": p.id_number_masked,
        "people": p.people,
        "linked_to": p.linked_to.case.number if p.linked_to else None,
        "link_kind": p.link_kind,
        "satisfaction": p.satisfaction,
        "state": p.case.state,
        "region_code": p.case.region_code,
    }


class PetitionDetail(PetitionOut):
    case: CaseOut


class PetitionPage(Schema):
    items: list[PetitionOut]
    next: str | None


@router.get("/petitions", response=PetitionPage)
@endpoint(PETITION.view_capability)
def petitions_list(
    request: AuthedRequest,
    q: str = "",
    state: str = "",
    channel: str = "",
    subject: str = "",
    limit: int = 50,
    cursor: str = "",
) -> dict[str, Any]:
    qs = selectors.petition_list(user=request.user, q=q, state=state, channel=channel, subject=subject)
    items, next_cursor = keyset_page(
        qs.select_related("linked_to__case"), key="id", cursor=cursor or None, limit=limit, descending=True
    )
    return {"items": [petition_out(p) for p in items], "next": next_cursor}


@router.post("/petitions", response={201: PetitionDetail})
@endpoint(PETITION.open_capability)
def petitions_create(request: AuthedRequest, payload: PetitionIn) -> Status:
    """登记: registers the petition and submits it for acceptance (受理告知 is then the bureau's task)."""
    petition = services.petition_register(actor=request.user, data=services.PetitionInput(**payload.dict()))
    return Status(201, {**petition_out(petition), "case": case_out(petition.case)})


@router.get("/petitions/{case_id}", response=PetitionDetail)
@endpoint(PETITION.view_capability, target=Target(Petition, "case_id", "case_id"))
def petitions_get(request: AuthedRequest, case_id: int) -> dict[str, Any]:
    petition = selectors.petition_by_case(user=request.user, case_pk=case_id)
    return {**petition_out(petition), "case": case_out(petition.case)}


class ReviewIn(Schema):
    received_on: str = ""
    content: str = Field(..., max_length=5000)


@router.post("/petitions/{case_id}/review", response={201: PetitionDetail})
@endpoint(REVIEW.open_capability, target=Target(Petition, "case_id", "case_id"))
def petitions_review(request: AuthedRequest, case_id: int, payload: ReviewIn) -> Status:
    """复查 (or 复核 on a review): within 30 days of the written reply; answered within 30 days."""
    petition = selectors.petition_by_case(user=request.user, case_pk=case_id)
    review = services.review_request(
        actor=request.user, petition=petition, received_on=payload.received_on or None, content=payload.content
    )
    return Status(201, {**petition_out(review), "case": case_out(review.case)})


@router.get("/petitions/{case_id}/letters/{kind}.pdf", response={200: None})
@endpoint(PETITION.view_capability, target=Target(Petition, "case_id", "case_id"), examples={"kind": "acceptance"})
def petitions_letter(request: AuthedRequest, case_id: int, kind: str) -> HttpResponse:
    """The acceptance notice, the written reply or the extension notice, as PDF (printing is audited)."""
    petition = selectors.petition_by_case(user=request.user, case_pk=case_id)
    pdf = services.letter(actor=request.user, petition=petition, kind=kind)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{petition.case.number}-{kind}.pdf"'
    return response

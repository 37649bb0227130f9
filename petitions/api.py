"""The petitions API: the register's list, read, register and act (from the kit), a review, the letters."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from ninja import Field, Schema, Status

from core.access import Target, endpoint
from core.ids import Id, Int64
from core.types import AuthedRequest
from petitions import selectors, services
from petitions.models import Petition
from petitions.process import PETITION, REVIEW
from petitions.register import PETITIONS, PetitionOut
from workflow.api import CaseOut
from workflow.kit import subject_detail, subject_router


class PetitionIn(Schema):
    channel: str
    received_on: str
    subject: str
    content: str = Field(..., max_length=6000)
    veteran_id: Id | None = None
    petitioner_name: str = Field("", max_length=100)
    phone: str = Field("", max_length=30)
    id_number: str = Field("", max_length=30)
    address: str = Field("", max_length=300)
    region_code: str = Field("", max_length=15)
    people: Int64 = 1
    linked_number: str = Field("", max_length=30)
    link_kind: str = ""


class PetitionDetail(PetitionOut):
    case: CaseOut


def _register(actor: Any, payload: PetitionIn) -> Petition:
    """登记: registers the petition and submits it for acceptance (受理告知 is then the bureau's task)."""
    return services.petition_register(actor=actor, data=services.PetitionInput(**payload.dict()))


router = subject_router(PETITIONS, create_in=PetitionIn, create=_register)


class ReviewIn(Schema):
    received_on: str = ""
    content: str = Field(..., max_length=5000)


@router.post("/petitions/{case_id}/review", response={201: PetitionDetail})
@endpoint(REVIEW.open_capability, target=Target(Petition, "case_id", "case_id"))
def petitions_review(request: AuthedRequest, case_id: Id, payload: ReviewIn) -> Status:
    """复查 (or 复核 on a review): within 30 days of the written reply; answered within 30 days."""
    petition = selectors.petition_by_case(user=request.user, case_pk=case_id)
    review = services.review_request(
        actor=request.user, petition=petition, received_on=payload.received_on or None, content=payload.content
    )
    return Status(201, subject_detail(PETITIONS, review))


@router.get("/petitions/{case_id}/letters/{kind}.pdf", response={200: None})
@endpoint(PETITION.view_capability, target=Target(Petition, "case_id", "case_id"), examples={"kind": "acceptance"})
def petitions_letter(request: AuthedRequest, case_id: Id, kind: str) -> HttpResponse:
    """The acceptance notice, the written reply or the extension notice, as PDF (printing is audited)."""
    petition = selectors.petition_by_case(user=request.user, case_pk=case_id)
    pdf = services.letter(actor=request.user, petition=petition, kind=kind)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{petition.case.number}-{kind}.pdf"'
    return response

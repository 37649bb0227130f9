"""The register of entitlement proposals, declared on the kit: what a list filters on and searches, and what a
row shows (the API's ``subject_router(PROPOSALS, ...)`` and the pages' ``list_page``/``detail_page`` read it)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema

from benefits.models import Proposal
from benefits.process import PROPOSAL
from core.ids import Id
from workflow.kit import Register, any_text


class ProposalFilters(Schema):
    state: str = ""
    #: a program's code (``disability``, ``survivor`` …)
    program: str = ""
    veteran: Id | None = None


class ProposalOut(Schema):
    id: int
    case_id: int
    number: str
    veteran_id: int
    family_member_id: int | None
    beneficiary_name: str
    beneficiary_id_masked: str
    program: str
    program_name: str
    grade: int
    cause: str
    from_month: dt.date
    bank_name: str
    account_masked: str
    reason: str
    entitlement_id: int | None
    state: str
    region_code: str


def proposal_out(p: Proposal) -> dict[str, Any]:
    return {
        "id": p.pk,
        "case_id": p.case_id,
        "number": p.case.number,
        "veteran_id": p.veteran_id,
        "family_member_id": p.family_member_id,
        "beneficiary_name": p.beneficiary_name,
        "beneficiary_id_masked": p.beneficiary_id_masked,
        "program": p.program.code,
        "program_name": p.program.name,
        "grade": p.grade,
        "cause": p.cause,
        "from_month": p.from_month,
        "bank_name": p.bank_name,
        "account_masked": p.account_masked,
        "reason": p.reason,
        "entitlement_id": p.entitlement_id,
        "state": p.case.state,
        "region_code": p.region_code,
    }


PROPOSALS = Register(
    model=Proposal,
    process=PROPOSAL,
    path="entitlement-proposals",
    filters=ProposalFilters,
    lookups={"state": "case__state", "program": "program__code", "veteran": "veteran_id"},
    search=any_text("case__number", "beneficiary_name"),
    out=ProposalOut,
    to_out=proposal_out,
    related=("case", "case__veteran", "program"),
)

"""The petitions register, declared on the kit: what a list filters on and searches, and what a row shows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema

from petitions.models import Petition
from petitions.process import PETITION
from workflow.kit import Register, any_text


class PetitionFilters(Schema):
    state: str = ""
    channel: str = ""
    subject: str = ""


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
    decision: str
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
        "decision": p.decision,
        "state": p.case.state,
        "region_code": p.region_code,
    }


PETITIONS = Register(
    model=Petition,
    process=PETITION,
    path="petitions",
    filters=PetitionFilters,
    lookups={"state": "case__state"},
    search=any_text("case__number", "petitioner_name"),
    out=PetitionOut,
    to_out=petition_out,
    related=("case", "veteran", "linked_to__case"),
)

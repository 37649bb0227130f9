"""The 一件事 register, declared on the kit: what a list filters on and what a row shows."""

from __future__ import annotations

from typing import Any

from ninja import Schema

from cases.models import LifeCase
from cases.process import LIFE_EVENT
from core.ids import Id
from workflow.kit import Register


class LifeCaseFilters(Schema):
    stage: str = ""
    state: str = ""
    veteran: Id | None = None


class LifeCaseOut(Schema):
    case_id: int
    number: str
    stage: str
    template: str
    veteran_id: int | None
    veteran_name: str
    automatic: bool
    state: str
    opened_on: str
    statutory_due: str


def life_out(life: LifeCase) -> dict[str, Any]:
    return {
        "case_id": life.case_id,
        "number": life.case.number,
        "stage": life.stage,
        "template": life.template.name,
        "veteran_id": life.case.veteran_id,
        "veteran_name": life.case.veteran.name if life.case.veteran else "",
        "automatic": life.automatic,
        "state": life.case.state,
        "opened_on": life.case.date("opened") or "",
        "statutory_due": life.statutory_due.isoformat() if life.statutory_due else "",
    }


LIFE_CASES = Register(
    model=LifeCase,
    process=LIFE_EVENT,
    path="life-cases",
    filters=LifeCaseFilters,
    lookups={"state": "case__state", "veteran": "case__veteran_id"},
    out=LifeCaseOut,
    to_out=life_out,
    related=("case", "case__veteran", "template"),
)

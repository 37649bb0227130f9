"""The 一件事 API: open a case for a veteran, list and read cases, read and replace templates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from cases import selectors, services
from cases.models import CaseTemplate, LifeCase
from cases.process import LIFE_EVENT
from core.access import Target, endpoint
from core.pagination import keyset_page
from core.types import AuthedRequest
from veterans.models import Veteran
from workflow.api import CaseOut, case_out

router = Router(tags=["life-cases"])


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
    dates = life.case.data.get("dates", {})
    return {
        "case_id": life.case_id,
        "number": life.case.number,
        "stage": life.stage,
        "template": life.template.name,
        "veteran_id": life.case.veteran_id,
        "veteran_name": life.case.veteran.name if life.case.veteran else "",
        "automatic": life.automatic,
        "state": life.case.state,
        "opened_on": dates.get("opened", ""),
        "statutory_due": life.statutory_due.isoformat() if life.statutory_due else "",
    }


class LifeCaseDetail(LifeCaseOut):
    case: CaseOut


class LifeCasePage(Schema):
    items: list[LifeCaseOut]
    next: str | None


@router.get("/life-cases", response=LifeCasePage)
@endpoint(LIFE_EVENT.view_capability)
def life_cases_list(
    request: AuthedRequest,
    stage: str = "",
    state: str = "",
    veteran: int | None = None,
    limit: int = 50,
    cursor: str = "",
) -> dict[str, Any]:
    qs = selectors.life_case_list(user=request.user, stage=stage, state=state, veteran=veteran)
    items, next_cursor = keyset_page(qs, key="id", cursor=cursor or None, limit=limit, descending=True)
    return {"items": [life_out(x) for x in items], "next": next_cursor}


class OpenIn(Schema):
    veteran_id: int
    stage: str
    note: str = Field("", max_length=500)


@router.post("/life-cases", response={201: LifeCaseDetail})
@endpoint(LIFE_EVENT.open_capability)
def life_cases_open(request: AuthedRequest, payload: OpenIn) -> Status:
    veteran = get_object_or_404(Veteran.objects.visible_to(request.user), pk=payload.veteran_id)
    life = services.life_case_open(actor=request.user, veteran=veteran, stage=payload.stage, note=payload.note)
    return Status(201, {**life_out(life), "case": case_out(life.case)})


@router.get("/life-cases/{case_id}", response=LifeCaseDetail)
@endpoint(LIFE_EVENT.view_capability, target=Target(LifeCase, "case_id", "case_id"))
def life_cases_get(request: AuthedRequest, case_id: int) -> dict[str, Any]:
    life = selectors.life_case_by_case(user=request.user, case_pk=case_id)
    return {**life_out(life), "case": case_out(life.case)}


class TemplateTaskIO(Schema):
    title: str
    department: str = ""
    acting_level: str = "city"
    limit_days: int
    working_days: bool = True
    fields: list[str] = []


class TemplateIO(Schema):
    stage: str = ""
    name: str
    description: str = ""
    limit_days: int
    working_days: bool = True
    active: bool = True
    tasks: list[TemplateTaskIO]
    updated_at: dt.datetime | None = None


def template_out(t: CaseTemplate) -> dict[str, Any]:
    return {
        "stage": t.stage,
        "name": t.name,
        "description": t.description,
        "limit_days": t.limit_days,
        "working_days": t.working_days,
        "active": t.active,
        "updated_at": t.updated_at,
        "tasks": [
            {
                "title": x.title,
                "department": x.department,
                "acting_level": x.acting_level,
                "limit_days": x.limit_days,
                "working_days": x.working_days,
                "fields": x.fields,
            }
            for x in t.tasks.all()
        ],
    }


@router.get("/life-case-templates", response=list[TemplateIO])
@endpoint(LIFE_EVENT.view_capability)
def templates_list(request: AuthedRequest) -> list[dict[str, Any]]:
    return [template_out(t) for t in CaseTemplate.objects.prefetch_related("tasks")]


@router.put("/life-case-templates/{stage}", response=TemplateIO)
@endpoint("cases.templates", examples={"stage": "reporting"})
def templates_put(request: AuthedRequest, stage: str, payload: TemplateIO) -> dict[str, Any]:
    """Replace a template (cases already open keep the tasks they started with)."""
    template = get_object_or_404(CaseTemplate, stage=stage)
    data = payload.dict()
    services.template_update(
        actor=request.user,
        template=template,
        name=data["name"],
        description=data["description"],
        limit_days=data["limit_days"],
        working_days=data["working_days"],
        active=data["active"],
        tasks=data["tasks"],
    )
    return template_out(template)

"""The 一件事 API: the register's list, read, open and act (from the kit); reading and replacing templates."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from ninja import Field, Schema

from cases import services
from cases.models import CaseTemplate, LifeCase
from cases.process import LIFE_EVENT
from cases.register import LIFE_CASES
from core.access import endpoint
from core.api import IsoDateTime
from core.ids import Id, Int64
from core.types import AuthedRequest
from veterans.models import Veteran
from workflow.kit import subject_router


class OpenIn(Schema):
    veteran_id: Id
    stage: str
    note: str = Field("", max_length=500)


def _open(actor: Any, payload: OpenIn) -> LifeCase:
    veteran = get_object_or_404(Veteran.objects.visible_to(actor), pk=payload.veteran_id)
    return services.life_case_open(actor=actor, veteran=veteran, stage=payload.stage, note=payload.note)


router = subject_router(LIFE_CASES, create_in=OpenIn, create=_open)


class TemplateTaskIO(Schema):
    title: str
    department: str = ""
    acting_level: str = "city"
    limit_days: Int64
    working_days: bool = True
    fields: list[str] = []


class TemplateIO(Schema):
    stage: str = ""
    name: str
    description: str = ""
    limit_days: Int64
    working_days: bool = True
    active: bool = True
    tasks: list[TemplateTaskIO]
    updated_at: IsoDateTime | None = None


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

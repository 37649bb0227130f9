"""一件事 services: open a case from a template, show a department only what its task needs, keep the templates."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Department, Role
from audit.services import audit_record
from cases.models import PERSON_FIELDS, ActingLevel, CaseTemplate, LifeCase, Stage, TemplateTask
from cases.process import LIFE_EVENT
from core.errors import ErrorCollector, bad_choice, invalid
from core.permissions import require
from regions.models import Level, ancestor_code, level_of
from veterans.models import Veteran
from workflow import services as flow
from workflow.calendar import add_days
from workflow.models import Case


def _open(
    *,
    actor: User,
    veteran: Veteran,
    template: CaseTemplate,
    owner_code: str,
    owner_role: str,
    automatic: bool,
    note: str = "",
) -> LifeCase:
    if LifeCase.objects.filter(case__veteran=veteran, stage=template.stage, case__state=Case.State.OPEN).exists():
        raise invalid(
            "stage", _("%(name)s already has an open case of this kind."), code="case_exists", name=veteran.name
        )
    tasks = list(template.tasks.all())
    if not tasks:
        raise invalid("stage", _("This template has no tasks; an administrator must add them first."), code="empty")
    today = timezone.localdate()
    specs = [
        {
            "key": f"t{t.pk}",
            "title": t.title,
            "department": t.department,
            "level": t.acting_level,
            "days": t.limit_days,
            "working": t.working_days,
            "fields": list(t.fields),
        }
        for t in tasks
    ]
    statutory_due = add_days(today, template.limit_days, template.working_days)
    case = flow.open_case(
        actor=actor,
        process=LIFE_EVENT,
        title=f"{veteran.name} · {template.name}",
        region_code=veteran.region_code,
        owner_code=owner_code,
        veteran=veteran,
        note=note,
        automatic=automatic,
        data={
            "dates": {"opened": today.isoformat()},
            "owner_role": owner_role,
        },
        subject={
            "template": template,
            "stage": template.stage,
            "automatic": automatic,
            "task_specs": specs,
            "statutory_due": statutory_due,
        },
    )
    life: LifeCase = case.subject
    return life


@transaction.atomic
def life_case_open(*, actor: User, veteran: Veteran, stage: str, note: str = "") -> LifeCase:
    require(actor, LIFE_EVENT.open_capability)
    if not Veteran.objects.visible_to(actor).filter(pk=veteran.pk).exists():
        raise invalid("veteran", _("No such veteran in your area."), code="unknown_veteran")
    if stage not in Stage.values:
        raise bad_choice("stage", Stage.choices)
    template = CaseTemplate.objects.filter(stage=stage, active=True).first()
    if template is None:
        raise invalid("stage", _("This kind of case is not in use."), code="inactive")
    if stage == Stage.AFTER_DEATH and veteran.status != "deceased":
        raise invalid(
            "stage", _("Affairs after death are opened when the veteran is recorded as deceased."), code="not_deceased"
        )
    if stage != Stage.AFTER_DEATH and veteran.status == "deceased":
        raise invalid("stage", _("This veteran is recorded as deceased."), code="deceased")
    scope = actor.scope_region
    assert scope is not None
    return _open(
        actor=actor,
        veteran=veteran,
        template=template,
        owner_code=scope.code,
        owner_role=actor.role,
        automatic=False,
        note=note,
    )


def open_after_death(*, actor: User, veteran: Veteran) -> LifeCase | None:
    """身后事: opened by itself when a veteran is recorded as deceased, owned by their town's station."""
    template = CaseTemplate.objects.filter(stage=Stage.AFTER_DEATH, active=True).first()
    if template is None or not template.tasks.exists():
        return None
    if LifeCase.objects.filter(case__veteran=veteran, stage=Stage.AFTER_DEATH).exists():
        return None
    if level_of(veteran.region_code) in (Level.TOWN, Level.VILLAGE, Level.GRID):
        owner_code, owner_role = ancestor_code(veteran.region_code, Level.TOWN), Role.TOWN_STAFF
    else:
        owner_code, owner_role = ancestor_code(veteran.region_code, Level.CITY), Role.CITY_STAFF
    return _open(
        actor=actor,
        veteran=veteran,
        template=template,
        owner_code=owner_code,
        owner_role=owner_role,
        automatic=True,
        note=str(_("Opened when the death was recorded.")),
    )


# --- templates --------------------------------------------------------------------------------------


def _clean_tasks(raw: list[dict[str, Any]]) -> list[TemplateTask]:
    errors = ErrorCollector()
    tasks = []
    if not raw:
        errors.add(invalid("tasks", _("A template needs at least one task."), code="required"))
    for i, item in enumerate(raw, start=1):
        title = str(item.get("title") or "").strip()
        department = str(item.get("department") or "")
        level = str(item.get("acting_level") or ActingLevel.CITY)
        fields = list(item.get("fields") or [])
        try:
            days = int(item.get("limit_days") or 0)
        except (TypeError, ValueError):
            days = 0
        where = f"tasks.{i}"
        if not title or len(title) > 60:
            errors.add(invalid(where, _("Task %(n)d: a title of 1 to 60 characters."), code="bad_title", n=i))
        if department and department not in Department.values:
            errors.add(invalid(where, _("Task %(n)d: unknown department."), code="bad_department", n=i))
        if level not in ActingLevel.values:
            errors.add(invalid(where, _("Task %(n)d: unknown acting level."), code="bad_level", n=i))
        if not 1 <= days <= 365:
            errors.add(invalid(where, _("Task %(n)d: a limit of 1 to 365 days."), code="bad_days", n=i))
        unknown = [f for f in fields if f not in PERSON_FIELDS]
        if unknown:
            errors.add(
                invalid(
                    where,
                    _("Task %(n)d: unknown person fields %(fields)s."),
                    code="bad_fields",
                    n=i,
                    fields=", ".join(map(str, unknown)),
                )
            )
        tasks.append(
            TemplateTask(
                order=i,
                title=title,
                department=department,
                acting_level=level,
                limit_days=days,
                working_days=bool(item.get("working_days", True)),
                fields=fields,
            )
        )
    errors.raise_if_any()
    return tasks


@transaction.atomic
def template_update(
    *,
    actor: User,
    template: CaseTemplate,
    name: str,
    limit_days: int,
    working_days: bool,
    active: bool,
    description: str,
    tasks: list[dict[str, Any]],
) -> CaseTemplate:
    """Replace a template's settings and tasks; the cases already open keep the tasks they started with."""
    require(actor, "cases.templates")
    errors = ErrorCollector()
    name = (name or "").strip()
    if not name or len(name) > 60:
        errors.add(invalid("name", _("A name of 1 to 60 characters."), code="bad_name"))
    if not 1 <= int(limit_days or 0) <= 365:
        errors.add(invalid("limit_days", _("A limit of 1 to 365 days."), code="bad_days"))
    new_tasks = errors.check(_clean_tasks, tasks) or []
    errors.raise_if_any()
    before = {
        "name": template.name,
        "limit_days": template.limit_days,
        "active": template.active,
        "tasks": [t.title for t in template.tasks.all()],
    }
    template.name, template.limit_days, template.working_days = name, int(limit_days), working_days
    template.active, template.description = active, description or ""
    template.save()
    template.tasks.all().delete()
    for task in new_tasks:
        task.template = template
    TemplateTask.objects.bulk_create(new_tasks)
    audit_record(
        actor=actor,
        action="case_template.update",
        obj=template,
        before=before,
        after={"name": name, "limit_days": int(limit_days), "active": active, "tasks": [t.title for t in new_tasks]},
    )
    return template

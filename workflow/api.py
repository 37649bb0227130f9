"""The workflow API: tasks (inbox, act, claim, bulk), cases, notifications, statistics, the holiday table."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema, Status

from core.access import Target, endpoint
from core.api import IsoDate
from core.errors import invalid
from core.ids import Id, Int64
from core.models import Notification
from core.notify import notifications_mark_read
from core.pagination import keyset_page
from core.types import AuthedRequest
from workflow import selectors, services
from workflow.fields import field_choices
from workflow.models import Case, CaseEvent, Holiday, Task

router = Router(tags=["workflow"])


class ActionOut(Schema):
    key: str
    label: str
    note_required: bool
    fields: list[dict[str, Any]]


class TaskOut(Schema):
    id: int
    case_id: int
    case_number: str
    case_title: str
    process: str
    step: str
    branch: str
    kind: str
    label: str
    role: str
    unit_code: str
    department: str
    status: str
    outcome: str
    note: str
    assignee: str | None
    started_at: dt.datetime
    due_on: dt.date | None
    completed_at: dt.datetime | None
    overdue: bool
    escalated_to: str
    urgency: str


def task_out(task: Task, user: Any = None) -> dict[str, Any]:
    return {
        "id": task.pk,
        "case_id": task.case_id,
        "case_number": task.case.number,
        "case_title": task.case.title,
        "process": task.case.process,
        "step": task.step,
        "branch": task.branch,
        "kind": task.kind,
        "label": task.label,
        "role": task.role,
        "unit_code": task.unit_code,
        "department": task.department,
        "status": task.status,
        "outcome": task.outcome,
        "note": task.note,
        "assignee": task.assignee.get_username() if task.assignee else None,
        "started_at": task.started_at,
        "due_on": task.due_on,
        "completed_at": task.completed_at,
        "overdue": task.overdue_at is not None,
        "escalated_to": task.escalated_to,
        "urgency": selectors.urgency(task),
    }


def actions_out(task: Task, user: Any) -> list[dict[str, Any]]:
    if not (task.is_open and task.case.is_open and services.may_act(user, task)):
        return []
    return [
        {
            "key": a.key,
            "label": str(a.label),
            "note_required": a.note_required,
            "fields": [
                {
                    "name": f.name,
                    "label": str(f.label),
                    "kind": f.kind,
                    "required": f.required,
                    "choices": [c for c, _l in field_choices(f, task.case) or []],
                }
                for f in a.fields
            ],
        }
        for a in services.actions_for(task)
    ]


class PersonField(Schema):
    field: str
    value: str


class TaskDetail(TaskOut):
    actions: list[ActionOut]
    #: what the task needs to be done: a petition's content; for a department, the person's data the task
    #: needs (and nothing else; a full ID number is audited)
    person: list[PersonField] = []


def detail_out(task: Task, user: Any) -> dict[str, Any]:
    person = [{"field": str(label), "value": value} for label, value in services.brief(task, user)]
    return {**task_out(task), "actions": actions_out(task, user), "person": person}


class TaskPage(Schema):
    items: list[TaskOut]
    next: str | None


@router.get("/tasks", response=TaskPage)
@endpoint("workflow.inbox")
def tasks_list(
    request: AuthedRequest,
    view: str = "mine",
    process: str = "",
    urgency: str = "",
    limit: Int64 = 100,
    cursor: str = "",
) -> dict[str, Any]:
    """Open tasks: ``view=mine`` (taken by me or by nobody) or ``view=unit`` (all of my unit's)."""
    if view == "unit":
        qs = selectors.unit_tasks(request.user, process=process, urgency=urgency)
    else:
        qs = (
            selectors.my_tasks(request.user).filter(case__process=process)
            if process
            else selectors.my_tasks(request.user)
        )
    items, next_cursor = keyset_page(qs.order_by(), key="id", cursor=cursor or None, limit=limit)
    return {"items": [task_out(t) for t in items], "next": next_cursor}


@router.get("/tasks/{int:task_id}", response=TaskDetail)
@endpoint(target=Target(Task, kwarg="task_id"), no_store=True)
def tasks_get(request: AuthedRequest, task_id: Id) -> dict[str, Any]:
    return detail_out(selectors.visible_task(request.user, task_id), request.user)


class TaskActIn(Schema):
    action: str = Field(..., max_length=40)
    note: str = Field("", max_length=2000)
    data: dict[str, Any] = {}


@router.post("/tasks/{int:task_id}/act", response=TaskDetail)
@endpoint(target=Target(Task, kwarg="task_id", action="act"), no_store=True)
def tasks_act(request: AuthedRequest, task_id: Id, payload: TaskActIn) -> dict[str, Any]:
    """Do one of the task's actions (``GET /tasks/{id}`` lists them with their fields)."""
    selectors.visible_task(request.user, task_id)
    task = services.act(actor=request.user, task=task_id, action=payload.action, note=payload.note, data=payload.data)
    task = Task.objects.select_related("case", "assignee").get(pk=task.pk)
    return {**task_out(task), "actions": actions_out(task, request.user)}


@router.post("/tasks/{int:task_id}/claim", response=TaskDetail)
@endpoint(target=Target(Task, kwarg="task_id", action="act"), no_store=True)
def tasks_claim(request: AuthedRequest, task_id: Id) -> dict[str, Any]:
    selectors.visible_task(request.user, task_id)
    task = services.claim(actor=request.user, task=task_id)
    return {**task_out(task), "actions": actions_out(task, request.user)}


class BulkIn(Schema):
    tasks: list[Id] = Field(..., min_length=1, max_length=500)
    action: str = Field(..., max_length=40)
    confirm: bool = False


class BulkLineOut(Schema):
    task: int
    ok: bool
    message: str


class BulkOut(Schema):
    done: int
    lines: list[BulkLineOut]


@router.post("/tasks/bulk", response=BulkOut)
@endpoint("workflow.inbox")
def tasks_bulk(request: AuthedRequest, payload: BulkIn) -> dict[str, Any]:
    """Without ``confirm``: what would happen to each task. With it: all of them, or none if one is refused."""
    tasks = list(selectors.actionable(request.user).filter(pk__in=payload.tasks))
    missing = set(payload.tasks) - {t.pk for t in tasks}
    if missing:
        raise invalid(
            "tasks", _("Not tasks you can act on: %(ids)s"), code="not_yours", ids=", ".join(map(str, sorted(missing)))
        )
    if payload.confirm:
        done = services.bulk_act(actor=request.user, task_ids=payload.tasks, action=payload.action)
        return {"done": done, "lines": [{"task": t, "ok": True, "message": ""} for t in payload.tasks]}
    lines = services.bulk_preview(actor=request.user, tasks=tasks, action=payload.action)
    return {"done": 0, "lines": [{"task": x.task.pk, "ok": x.ok, "message": x.message} for x in lines]}


class EventOut(Schema):
    at: dt.datetime
    action: str
    label: str
    actor: str | None
    note: str


class CaseOut(Schema):
    id: int
    number: str
    process: str
    title: str
    region_code: str
    state: str
    veteran_id: int | None
    parent_id: int | None
    data: dict[str, Any]
    created_at: dt.datetime
    closed_at: dt.datetime | None
    tasks: list[TaskOut]
    history: list[EventOut]


def case_out(case: Case) -> dict[str, Any]:
    tasks = case.tasks.select_related("case", "assignee").order_by("id")
    events = CaseEvent.objects.filter(case=case).select_related("actor").order_by("id")
    return {
        "id": case.pk,
        "number": case.number,
        "process": case.process,
        "title": case.title,
        "region_code": case.region_code,
        "state": case.state,
        "veteran_id": case.veteran_id,
        "parent_id": case.parent_id,
        "data": case.data,
        "created_at": case.created_at,
        "closed_at": case.closed_at,
        "tasks": [task_out(t) for t in tasks],
        "history": [
            {
                "at": e.created_at,
                "action": e.action,
                "label": e.label,
                "actor": e.actor.get_username() if e.actor else None,
                "note": e.note,
            }
            for e in events
        ],
    }


@router.get("/cases/{case_id}", response=CaseOut)
@endpoint(target=Target(Case, kwarg="case_id"))
def cases_get(request: AuthedRequest, case_id: Id) -> dict[str, Any]:
    """Any case in scope, whatever its process: its tasks and its history."""
    return case_out(selectors.case_get(request.user, case_id))


class WithdrawIn(Schema):
    reason: str = Field(..., max_length=2000)


@router.post("/cases/{case_id}/withdraw", response=CaseOut)
@endpoint(target=Target(Case, kwarg="case_id", action="withdraw"))
def cases_withdraw(request: AuthedRequest, case_id: Id, payload: WithdrawIn) -> dict[str, Any]:
    """End a case under way (the unit that owns it); its open tasks are cancelled."""
    case = services.withdraw_case(
        actor=request.user, case=selectors.case_get(request.user, case_id), reason=payload.reason
    )
    return case_out(case)


class NotificationOut(Schema):
    id: int
    title: str
    body: str
    url: str
    created_at: dt.datetime
    read: bool

    @staticmethod
    def resolve_read(obj: Notification) -> bool:
        return obj.read_at is not None


class NotificationPage(Schema):
    unread: int
    items: list[NotificationOut]


@router.get("/notifications", response=NotificationPage)
@endpoint()
def notifications_list(request: AuthedRequest, unread: bool = False) -> dict[str, Any]:
    qs = Notification.objects.filter(user=request.user)
    count = qs.filter(read_at__isnull=True).count()
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return {"unread": count, "items": list(qs[:200])}


class ReadIn(Schema):
    ids: list[Id] = []


@router.post("/notifications/read", response=NotificationPage)
@endpoint()
def notifications_read(request: AuthedRequest, payload: ReadIn) -> dict[str, Any]:
    """Mark the given notifications read (all of them when ``ids`` is empty)."""
    notifications_mark_read(user=request.user, ids=payload.ids)
    return notifications_list(request)


class CaseStatsOut(Schema):
    process: str
    region_code: str
    region: str
    open: int
    done: int
    rejected: int
    withdrawn: int
    total: int


class UnitStatsOut(Schema):
    process: str
    unit_code: str
    unit: str
    department: str
    open: int
    done: int
    on_time: int
    with_due: int
    on_time_rate: float | None
    avg_days: float | None


class StepStatsOut(Schema):
    step: str
    label: str
    open: int
    overdue: int
    done: int
    avg_days: float | None


class StatsOut(Schema):
    cases: list[CaseStatsOut]
    units: list[UnitStatsOut]
    steps: list[StepStatsOut]


@router.get("/workflow/stats", response=StatsOut)
@endpoint("workflow.stats")
def stats(request: AuthedRequest, process: str = "") -> dict[str, Any]:
    """Cases per process and town by state (a case counts once); task steps per process and acting unit: open,
    done, on-time rate (%), average days; per step when ``process`` is given."""
    from workflow.registry import PROCESSES

    if process and process not in PROCESSES:
        raise invalid("process", _("Unknown process: %(p)s"), code="bad_process", p=process)
    case_rows = selectors.case_stats(user=request.user, process=process)
    stats_rows = selectors.unit_stats(user=request.user, process=process)
    names = services.region_names([*(c.region_code for c in case_rows), *(s.unit_code for s in stats_rows)])
    cases = [{**vars(c), "total": c.total, "region": names.get(c.region_code, c.region_code)} for c in case_rows]
    units = [
        {**vars(s), "on_time_rate": s.on_time_rate, "unit": services.unit_label(s.unit_code, s.department, names)}
        for s in stats_rows
    ]
    steps = (
        [{**s, "label": str(s["label"])} for s in selectors.step_stats(user=request.user, process=process)]
        if process
        else []
    )
    return {"cases": cases, "units": units, "steps": steps}


class HolidayIO(Schema):
    date: IsoDate
    kind: str = Field(..., pattern="^(holiday|workday)$")
    name: str = Field(..., min_length=1, max_length=40)


@router.get("/holidays", response=list[HolidayIO])
@endpoint(("holidays.manage", "workflow.inbox"))
def holidays_list(request: AuthedRequest, year: str = "") -> list[Holiday]:
    """The table of one year (this year when none is given; 1949 to 2100)."""
    wanted = services.calendar_year(year, default=timezone.localdate().year)
    return list(Holiday.objects.filter(date__year=wanted))


@router.post("/holidays", response={201: HolidayIO})
@endpoint("holidays.manage")
def holidays_add(request: AuthedRequest, payload: HolidayIO) -> Status:
    return Status(201, services.holiday_add(actor=request.user, **payload.dict()))


@router.delete("/holidays/{day}", response={204: None})
@endpoint("holidays.manage", examples={"day": "2026-10-01"})
def holidays_delete(request: AuthedRequest, day: IsoDate) -> Status:
    services.holiday_delete(actor=request.user, holiday=get_object_or_404(Holiday, date=day))
    return Status(204, None)

"""Reads of the workflow tables: inboxes, a case's tasks, statistics. All scoped."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import Substr, TruncDate
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from core.permissions import require
from core.scoping import get_visible_or_404
from regions.models import PREFIX_LENGTH, Level
from workflow.models import Attachment, Case, Task
from workflow.registry import PROCESSES

#: Days before the due date when a task shows as due soon.
DUE_SOON_DAYS = 3


def actionable(user: User) -> QuerySet[Task]:
    """Open tasks on open cases that the user may act on: their role and unit, or escalated to them."""
    return Task.objects.actionable_by(user).select_related("case", "assignee")


def my_tasks(user: User) -> QuerySet[Task]:
    """What this person should do: tasks they took, and their unit's tasks nobody has taken."""
    return (
        actionable(user)
        .filter(Q(assignee=user) | Q(assignee__isnull=True))
        .order_by(F("due_on").asc(nulls_last=True), "id")
    )


def unit_tasks(user: User, *, step: str = "", process: str = "", urgency: str = "") -> QuerySet[Task]:
    """Every open task of the user's unit (including those colleagues took)."""
    qs = actionable(user)
    if process:
        qs = qs.filter(case__process=process)
    if step:
        qs = qs.filter(step=step)
    today = timezone.localdate()
    if urgency == "overdue":
        qs = qs.filter(due_on__lt=today)
    elif urgency == "soon":
        qs = qs.filter(due_on__gte=today, due_on__lte=today + dt.timedelta(days=DUE_SOON_DAYS))
    return qs.order_by(F("due_on").asc(nulls_last=True), "id")


def task_counts(user: User) -> dict[str, int]:
    """For the home page: my tasks, and my unit's due soon and overdue."""
    today = timezone.localdate()
    unit = actionable(user).aggregate(
        soon=Count("id", filter=Q(due_on__gte=today, due_on__lte=today + dt.timedelta(days=DUE_SOON_DAYS))),
        overdue=Count("id", filter=Q(due_on__lt=today)),
    )
    return {"mine": my_tasks(user).count(), "soon": unit["soon"], "overdue": unit["overdue"]}


def urgency(task: Task, today: dt.date | None = None) -> str:
    """ "overdue", "soon" or "" for the colour of a row."""
    if task.due_on is None or not task.is_open:
        return ""
    today = today or timezone.localdate()
    if task.due_on < today:
        return "overdue"
    if task.due_on <= today + dt.timedelta(days=DUE_SOON_DAYS):
        return "soon"
    return ""


def visible_task(user: User, task_id: int) -> Task:
    """A task the user may open (``Task.objects.visible_to``); anything else is 404, as if it did not exist."""
    task = Task.objects.visible_to(user).select_related("case", "assignee", "completed_by").filter(pk=task_id).first()
    if task is None:
        raise Http404
    return task


def attachment_get(user: User, pk: int) -> Attachment:
    """An attachment of a case the user may see; 404 otherwise."""
    attachment = Attachment.objects.select_related("case").filter(pk=pk, case__in=Case.objects.visible_to(user)).first()
    if attachment is None:
        raise Http404
    return attachment


def case_get(user: User, pk: int, process: str = "") -> Case:
    qs = Case.objects.all()
    if process:
        qs = qs.filter(process=process)
    return get_visible_or_404(qs, user, pk=pk)


# --- statistics -----------------------------------------------------------------------------------


@dataclass
class CaseStats:
    """Cases of one process in one town (the city itself for a case filed at city level), by state.

    A case counts once, however many steps it took: this is what 在办/办结 mean to the bureau.
    """

    process: str
    region_code: str
    open: int
    done: int
    rejected: int
    withdrawn: int

    @property
    def total(self) -> int:
        return self.open + self.done + self.rejected + self.withdrawn

    @classmethod
    def sum(cls, process: str, region_code: str, rows: list[CaseStats]) -> CaseStats:
        return cls(
            process,
            region_code,
            sum(r.open for r in rows),
            sum(r.done for r in rows),
            sum(r.rejected for r in rows),
            sum(r.withdrawn for r in rows),
        )


def case_stats(*, user: User, process: str = "") -> list[CaseStats]:
    """Per process and town: the cases in progress, concluded, not accepted and withdrawn, in the user's scope."""
    require(user, "workflow.stats")
    qs = Case.objects.visible_to(user)
    if process:
        qs = qs.filter(process=process)
    rows = (
        qs.annotate(town=Substr("region_code", 1, PREFIX_LENGTH[Level.TOWN]))
        .values("process", "town")
        .annotate(
            open=Count("id", filter=Q(state=Case.State.OPEN)),
            done=Count("id", filter=Q(state=Case.State.DONE)),
            rejected=Count("id", filter=Q(state=Case.State.REJECTED)),
            withdrawn=Count("id", filter=Q(state=Case.State.WITHDRAWN)),
        )
        .order_by("process", "town")
    )
    return [
        CaseStats(r["process"], r["town"].ljust(12, "0"), r["open"], r["done"], r["rejected"], r["withdrawn"])
        for r in rows
    ]


@dataclass
class UnitStats:
    process: str
    unit_code: str
    department: str
    open: int
    done: int
    on_time: int
    with_due: int
    avg_days: float | None

    @property
    def on_time_rate(self) -> float | None:
        return round(self.on_time * 100 / self.with_due, 1) if self.with_due else None


def _tasks_in_scope(user: User, process: str = "") -> QuerySet[Task]:
    require(user, "workflow.stats")
    qs = Task.objects.filter(case__in=Case.objects.visible_to(user), kind=Task.Kind.STEP).exclude(
        status=Task.Status.CANCELLED
    )
    return qs.filter(case__process=process) if process else qs


def _duration() -> ExpressionWrapper[Any]:
    return ExpressionWrapper(F("completed_at") - F("started_at"), output_field=DurationField())


def _days(value: dt.timedelta | None) -> float | None:
    return round(value.total_seconds() / 86400, 1) if value is not None else None


def unit_stats(*, user: User, process: str = "") -> list[UnitStats]:
    """Per process and acting unit, in task steps (not cases): open, done, done on time (of those with a due
    date), average days per step."""
    done_q = Q(status__in=[Task.Status.DONE, Task.Status.RETURNED])
    on_time_q = done_q & Q(due_on__isnull=False, done_day__lte=F("due_on"))
    rows = (
        _tasks_in_scope(user, process)
        .annotate(done_day=TruncDate("completed_at"))
        .values("case__process", "unit_code", "department")
        .annotate(
            open=Count("id", filter=Q(status=Task.Status.OPEN)),
            done=Count("id", filter=done_q),
            on_time=Count("id", filter=on_time_q),
            with_due=Count("id", filter=done_q & Q(due_on__isnull=False)),
            avg=Avg(_duration(), filter=done_q),
        )
        .order_by("case__process", "unit_code", "department")
    )
    return [
        UnitStats(
            r["case__process"],
            r["unit_code"],
            r["department"],
            r["open"],
            r["done"],
            r["on_time"],
            r["with_due"],
            _days(r["avg"]),
        )
        for r in rows
    ]


def step_stats(*, user: User, process: str) -> list[dict[str, Any]]:
    """Per step of one process: how many done, average days taken, open now, overdue now."""
    today = timezone.localdate()
    done_q = Q(status__in=[Task.Status.DONE, Task.Status.RETURNED])
    rows = {
        r["step"]: r
        for r in _tasks_in_scope(user, process)
        .values("step")
        .annotate(
            done=Count("id", filter=done_q),
            open=Count("id", filter=Q(status=Task.Status.OPEN)),
            overdue=Count("id", filter=Q(status=Task.Status.OPEN, due_on__lt=today)),
            avg=Avg(_duration(), filter=done_q),
        )
    }
    out = []
    for step in PROCESSES[process].steps:
        r: dict[str, Any] = dict(rows.get(step.key) or {})
        out.append(
            {
                "step": step.key,
                "label": step.label,
                "done": r.get("done", 0),
                "open": r.get("open", 0),
                "overdue": r.get("overdue", 0),
                "avg_days": _days(r.get("avg")),
            }
        )
    return out

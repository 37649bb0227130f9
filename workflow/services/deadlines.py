"""Due dates: a step's limit from its start or a case date, lengthened by an approved extension."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from workflow.calendar import Limit, add_days
from workflow.models import Case, Task
from workflow.process import Process
from workflow.registry import PROCESSES


def due_date(limit: Limit | None, case: Case, start: dt.date) -> dt.date | None:
    if limit is None:
        return None
    base = start
    if limit.anchor:
        anchored = case.date(limit.anchor)
        base = dt.date.fromisoformat(anchored) if anchored else start
    days = limit.days + (int(case.data.get("extension_days", 0)) if limit.extendable else 0)
    return add_days(base, days, limit.working)


def limit_of(process: Process, task: Task) -> Limit | None:
    if task.branch or task.kind == Task.Kind.CORRECTION:
        raw = task.data.get("limit")
        return Limit(days=raw[0], working=raw[1]) if raw else None
    return process.step(task.step).limit


def refresh_due(case: Case) -> None:
    """After a case date or an extension changes, the open tasks' deadlines follow."""
    process = PROCESSES[case.process]
    for task in case.tasks.filter(status=Task.Status.OPEN):
        due = due_date(limit_of(process, task), case, timezone.localdate(task.started_at))
        if due != task.due_on:
            Task.objects.filter(pk=task.pk).update(due_on=due, overdue_at=None)

"""The overdue sweep: mark late steps, tell who must act, escalate after the grace period."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import SUPERVISOR_ROLES
from audit.services import audit_record
from core.notify import notify
from regions.models import Level, ancestor_code, level_of
from workflow.models import Case, Task
from workflow.services.access import describe_actor, eligible_users, unit_label
from workflow.services.transitions import record_event, task_url


def escalation_target(task: Task) -> str:
    """The unit above: a department's task goes to the bureau of its city; a village's to its town, and so on."""
    level = level_of(task.unit_code)
    if task.department or level in (None, Level.CITY, Level.PREFECTURE, Level.PROVINCE):
        return ancestor_code(task.unit_code, Level.CITY)
    parent: dict[str, str] = {Level.GRID: Level.VILLAGE, Level.VILLAGE: Level.TOWN, Level.TOWN: Level.CITY}
    return ancestor_code(task.unit_code, parent[level])


@dataclass
class SweepResult:
    marked: int = 0
    escalated: int = 0


def sweep(today: dt.date | None = None) -> SweepResult:
    """Mark overdue steps, tell their assignees, escalate after the grace period.

    Safe to run at any time and any number of times: each mark is a conditional update,
    each notification has a key, so a second run finds nothing new; a worker that was down
    catches up on everything still open.
    """
    today = today or timezone.localdate()
    grace = int(getattr(settings, "WORKFLOW_ESCALATION_GRACE_DAYS", 3))
    result = SweepResult()
    late = Task.objects.filter(status=Task.Status.OPEN, case__state=Case.State.OPEN, due_on__lt=today)
    for task in late.filter(overdue_at__isnull=True).select_related("case", "assignee"):
        with transaction.atomic():
            if not Task.objects.filter(pk=task.pk, overdue_at__isnull=True).update(overdue_at=timezone.now()):
                continue
            result.marked += 1
            record_event(task.case, task, None, "overdue", _("Overdue: %(task)s") % {"task": task.label})
            audit_record(
                actor=None,
                action="task.overdue",
                obj=task.case,
                region_code=task.case.region_code,
                after={"task": task.pk, "due_on": task.due_on},
            )
            people = [task.assignee] if task.assignee else eligible_users(task)
            notify(
                people,
                key=f"task:{task.pk}:overdue",
                title=str(_("Overdue: %(task)s") % {"task": task.label}),
                body=str(_("%(case)s was due on %(due)s.") % {"case": task.case.number, "due": task.due_on}),
                url=task_url(task),
            )
    cutoff = today - dt.timedelta(days=grace)
    for task in late.filter(escalated_at__isnull=True, due_on__lt=cutoff).select_related("case"):
        target = escalation_target(task)
        with transaction.atomic():
            updated = Task.objects.filter(pk=task.pk, escalated_at__isnull=True).update(
                escalated_at=timezone.now(), escalated_to=target
            )
            if not updated:
                continue
            task.escalated_to = target
            result.escalated += 1
            record_event(task.case, task, None, "escalate", _("Escalated to %(unit)s") % {"unit": unit_label(target)})
            audit_record(
                actor=None,
                action="task.escalate",
                obj=task.case,
                region_code=task.case.region_code,
                after={"task": task.pk, "to": target},
            )
            supervisors = User.objects.filter(
                scope_region__code=target, role__in=SUPERVISOR_ROLES, is_active=True, department=""
            )
            notify(
                supervisors,
                key=f"task:{task.pk}:escalated",
                title=str(_("Escalated to you: %(task)s") % {"task": task.label}),
                body=str(
                    _("%(case)s was due on %(due)s and is still open at %(unit)s.")
                    % {"case": task.case.number, "due": task.due_on, "unit": describe_actor(task)}
                ),
                url=task_url(task),
            )
    return result

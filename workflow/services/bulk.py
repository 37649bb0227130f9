"""Bulk actions on many tasks: a preview first, then all or nothing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.errors import explain, invalid
from workflow.models import Task
from workflow.process import Context
from workflow.services.transitions import act, actions_for, claim, refuse_unless_actionable
from workflow.windows import refuse_by_windows


@dataclass
class BulkLine:
    task: Task
    ok: bool
    message: str = ""


def bulk_preview(*, actor: User, tasks: Iterable[Task], action: str) -> list[BulkLine]:
    """What a bulk action would do to each task, without doing it: the refusals ``act`` would give
    (role and unit, maker-checker, the action's windows and check), one line per task."""
    lines = []
    for task in tasks:
        if action == "claim":
            try:
                refuse_unless_actionable(actor, task.case, task)
                lines.append(BulkLine(task, True))
            except (ValidationError, PermissionDenied) as exc:
                lines.append(BulkLine(task, False, explain(exc)))
            continue
        chosen = next((a for a in actions_for(task) if a.key == action), None)
        if chosen is None or not chosen.bulk:
            lines.append(BulkLine(task, False, str(_("Not possible on this task in bulk."))))
            continue
        try:
            refuse_unless_actionable(actor, task.case, task)
            refuse_by_windows(chosen, task.case, task)
            if chosen.check:
                context = Context(case=task.case, task=task, actor=actor, note="", data={}, subject=task.case.subject)
                chosen.check(context)
            lines.append(BulkLine(task, True))
        except (ValidationError, PermissionDenied) as exc:
            lines.append(BulkLine(task, False, explain(exc)))
    return lines


@transaction.atomic
def bulk_act(*, actor: User, task_ids: list[int], action: str) -> int:
    """All or nothing: one refusal undoes the whole batch."""
    for task_id in task_ids:
        if action == "claim":
            claim(actor=actor, task=task_id)
        else:
            task = Task.objects.select_related("case").get(pk=task_id)
            chosen = next((a for a in actions_for(task) if a.key == action), None)
            if chosen is None or not chosen.bulk:
                raise invalid(None, _("Not possible on this task in bulk."), code="not_bulk")
            act(actor=actor, task=task_id, action=action)
    return len(task_ids)

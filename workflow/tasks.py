"""The periodic job: ``sweep_deadlines`` marks overdue steps and escalates (``manage.py worker`` enqueues it)."""

from __future__ import annotations

from django_tasks import task

from workflow.services import sweep


@task()
def sweep_deadlines() -> dict[str, int]:
    result = sweep()
    return {"marked": result.marked, "escalated": result.escalated}

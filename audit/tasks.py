"""The periodic job: ``anchor_audit_head`` writes the chain's head outside the database (``manage.py worker``)."""

from __future__ import annotations

from django_tasks import task

from audit.services import audit_anchor_head


@task()
def anchor_audit_head() -> dict[str, int | None]:
    anchor = audit_anchor_head()
    return {"seq": anchor.seq if anchor else None}

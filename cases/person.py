"""What a department's task shows of the person: only the fields its template task lists, a full ID number audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from accounts.models import User
from audit.services import audit_record
from cases.models import PERSON_FIELDS
from core.crypto import decrypt
from veterans.models import Veteran
from workflow.models import Task


def _value(veteran: Veteran, name: str) -> str:
    if name == "id_number":
        return decrypt(veteran.id_number_enc)
    if name == "phone":
        return decrypt(veteran.phone_enc) if veteran.phone_enc else ""
    if name == "hukou_region":
        return veteran.hukou_region_code
    if name in ("gender", "branch", "discharge_type"):
        return str(getattr(veteran, f"get_{name}_display")())
    value = getattr(veteran, name)
    return value.isoformat() if isinstance(value, dt.date) else str(value or "")


@transaction.atomic
def person_for_task(*, actor: User, task: Task) -> list[tuple[Any, str]]:
    """The person's data a department's task needs: only the template's fields; a full ID number is audited."""
    veteran = task.case.veteran
    if veteran is None:
        return []
    names = [n for n in task.data.get("fields", []) if n in PERSON_FIELDS] or ["name"]
    if "id_number" in names or "phone" in names:
        audit_record(
            actor=actor,
            action="case.view_person",
            obj=veteran,
            region_code=veteran.region_code,
            after={"task": task.pk, "fields": names},
            reason=f"{task.case.number} {task.label}",
        )
    return [(PERSON_FIELDS[n], _value(veteran, n)) for n in names]

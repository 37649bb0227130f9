from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from audit.models import AuditEntry


def audit_list(
    *,
    user: Any,
    action: str = "",
    actor: str = "",
    object_type: str = "",
    object_id: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
    request_id: str = "",
    batch_id: str = "",
) -> QuerySet[AuditEntry]:
    """Entries whose region is under the user's scope (auditors and city admins only)."""
    qs = AuditEntry.objects.visible_to(user)
    if action:
        qs = qs.filter(action__startswith=action)
    if actor:
        qs = qs.filter(actor_username=actor)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if since:
        qs = qs.filter(created_at__date__gte=since)
    if until:
        qs = qs.filter(created_at__date__lte=until)
    if request_id:
        qs = qs.filter(request_id=request_id)
    if batch_id:
        qs = qs.filter(batch_id=batch_id)
    return qs

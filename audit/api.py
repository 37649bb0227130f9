from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Router, Schema

from audit.selectors import audit_list
from core.access import endpoint
from core.api import IsoDate
from core.ids import Int64
from core.pagination import keyset_page
from core.types import AuthedRequest

router = Router(tags=["audit"])


class AuditOut(Schema):
    seq: int
    created_at: dt.datetime
    actor_username: str
    action: str
    #: the action in words (audit.actions), in the caller's language
    action_label: str
    object_type: str
    object_id: str
    object_repr: str
    region_code: str
    before: Any
    after: Any
    reason: str
    request_id: str
    batch_id: str
    hash: str


class AuditPage(Schema):
    items: list[AuditOut]
    next: str | None


@router.get("", response=AuditPage)
@endpoint("audit.view")
def audit_entries(
    request: AuthedRequest,
    action: str = "",
    actor: str = "",
    object_type: str = "",
    object_id: str = "",
    since: IsoDate | None = None,
    until: IsoDate | None = None,
    limit: Int64 = 100,
    cursor: str = "",
) -> dict[str, object]:
    """The audit log under the caller's scope, newest first (auditors and city administrators)."""
    qs = audit_list(
        user=request.user,
        action=action,
        actor=actor,
        object_type=object_type,
        object_id=object_id,
        since=since,
        until=until,
    )
    items, next_cursor = keyset_page(qs, key="seq", cursor=cursor or None, limit=limit, descending=True)
    return {"items": items, "next": next_cursor}

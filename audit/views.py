from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render

from audit.actions import action_choices
from audit.described import described
from audit.models import AuditEntry
from audit.selectors import audit_list
from audit.services import audit_verify_recorded
from core.access import Target, page
from core.pagination import keyset_page
from core.scoping import get_visible_or_404
from core.types import AuthedRequest


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


#: the filters the list reads from the query string
PARAMS = ("action", "actor", "object_type", "object_id", "since", "until", "request_id", "batch_id", "cursor")


@page("audit.view", params=PARAMS)
def entries(request: AuthedRequest) -> HttpResponse:
    g = request.GET
    qs = audit_list(
        user=request.user,
        action=g.get("action", "").strip(),
        actor=g.get("actor", "").strip(),
        object_type=g.get("object_type", "").strip(),
        object_id=g.get("object_id", "").strip(),
        since=_date(g.get("since", "")),
        until=_date(g.get("until", "")),
        request_id=g.get("request_id", "").strip(),
        batch_id=g.get("batch_id", "").strip(),
    )
    error = None
    try:
        rows, next_cursor = keyset_page(qs, key="seq", cursor=g.get("cursor") or None, limit=50, descending=True)
    except ValidationError as exc:
        rows, next_cursor, error = [], None, exc.messages[0]
    params = g.copy()
    params.pop("cursor", None)
    return render(
        request,
        "audit/list.html",
        {
            "entries": described(rows),
            "next_cursor": next_cursor,
            "query": params.urlencode(),
            "error": error,
            "action_choices": action_choices(),
        },
    )


@page("audit.view", target=Target(AuditEntry, "seq", "seq"))
def entry(request: AuthedRequest, seq: int) -> HttpResponse:
    item = get_visible_or_404(AuditEntry.objects.all(), request.user, seq=seq)
    return render(request, "audit/entry.html", {"entry": described([item])[0]})


@page("audit.view", methods=("POST",))
def verify(request: AuthedRequest) -> HttpResponse:
    """Verify the chain and its anchors now, for the one who asked; the check is itself recorded."""
    result = audit_verify_recorded(actor=request.user)
    return render(request, "audit/verify.html", {"result": result})

"""The header: the navigation entries the modules declare (``core.navigation``), shown by capability."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from core.navigation import entries_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    path = request.path
    items = []
    for entry in entries_for(user):
        url = reverse(entry.url_name)
        active = path == url if url == "/" else path.startswith(url)
        items.append({"label": entry.label, "url": url, "active": active})
    from core.notify import unread_count

    return {"nav_items": items, "unread_notifications": unread_count(user)}

"""Navigation by role: each entry names the capability that shows it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

#: (label, url name, capability or None for every signed-in user)
NAVIGATION: list[tuple[Any, str, str | None]] = [
    (_("Home"), "core:home", None),
    (_("Tasks"), "workflow:inbox", "workflow.inbox"),
    (_("Veterans"), "veterans:list", "veterans.view"),
    (_("Petitions"), "petitions:list", "petitions.view"),
    (_("一件事"), "cases:list", "cases.view"),
    (_("Statistics"), "workflow:stats", "workflow.stats"),
    (_("Service network"), "regions:index", "regions.view"),
    (_("Stations"), "regions:stations", "regions.view"),
    (_("Grids"), "regions:grids", "regions.view"),
    (_("Users"), "accounts:users", "accounts.manage"),
    (_("Audit log"), "audit:list", "audit.view"),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    path = request.path
    items = []
    for label, name, capability in NAVIGATION:
        if capability is None or user.can(capability):
            url = reverse(name)
            active = path == url if url == "/" else path.startswith(url)
            items.append({"label": label, "url": url, "active": active})
    from core.notify import unread_count

    return {"nav_items": items, "unread_notifications": unread_count(user)}

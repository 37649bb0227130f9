"""The timeline on a veteran's page: every module adds its records by registering a provider.

A provider is ``provider(veteran, user) -> Iterable[TimelineItem]``; it must apply
its own scope. The registry never needs editing when a module is added.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from audit.models import AuditEntry


@dataclass(frozen=True)
class TimelineItem:
    when: dt.date
    kind: str  # the module, e.g. "registry", "petitions"
    title: Any
    detail: str = ""
    url: str = ""


Provider = Callable[[Any, Any], Iterable[TimelineItem]]
_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def timeline(veteran: Any, user: Any) -> list[TimelineItem]:
    items = [item for provider in _providers for item in provider(veteran, user)]
    return sorted(items, key=lambda i: i.when, reverse=True)


@register
def life_events(veteran: Any, user: Any) -> Iterable[TimelineItem]:
    yield TimelineItem(veteran.enlisted_on, "registry", _("Enlisted"), veteran.get_branch_display())
    yield TimelineItem(veteran.discharged_on, "registry", _("Left the service"), veteran.get_discharge_type_display())
    if veteran.party_joined_on:
        yield TimelineItem(veteran.party_joined_on, "registry", _("Joined the Party"))
    for category in veteran.categories.all():
        yield TimelineItem(category.start_date, "registry", _("Special-care category begins"), str(category))
        if category.end_date:
            yield TimelineItem(category.end_date, "registry", _("Special-care category ends"), str(category))
    if veteran.deceased_on:
        yield TimelineItem(veteran.deceased_on, "registry", _("Died"))


ACTION_TITLES = {
    "veteran.create": _("Record created"),
    "veteran.update": _("Record changed"),
    "veteran.reveal_id": _("Full ID number viewed"),
    "veteran.mark_deceased": _("Recorded as deceased"),
    "veteran.family_add": _("Family member added"),
    "veteran.family_remove": _("Family member removed"),
}


@register
def record_changes(veteran: Any, user: Any) -> Iterable[TimelineItem]:
    entries = AuditEntry.objects.filter(object_type="veterans.veteran", object_id=str(veteran.pk)).order_by("-seq")
    if not (user.can("veterans.reveal_id") or user.can("audit.view")):
        # Who looked at the full ID number, and why, is for those who may do it themselves and for auditors.
        entries = entries.exclude(action="veteran.reveal_id")
    for entry in entries[:200]:
        changed = sorted((entry.after or {}).keys() - {"categories"})
        detail = ", ".join(changed) if entry.action.endswith("update") else ""
        title = ACTION_TITLES.get(entry.action, entry.action)
        note = f"{entry.actor_username} {detail} {entry.reason}".strip()
        yield TimelineItem(timezone_date(entry.created_at), "audit", title, note)


def timezone_date(value: dt.datetime) -> dt.date:
    from django.utils import timezone

    return timezone.localtime(value).date()

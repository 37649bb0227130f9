"""The timeline on a veteran's page: every module adds its records by registering a provider.

A provider is ``provider(veteran, user) -> Iterable[TimelineItem]``; it must apply
its own scope. The registry never needs editing when a module is added.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.actions import action_label
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


#: Who looked at a person's full ID number or phone, and why, is for those who may do it themselves and for auditors.
DISCLOSURES = ("veteran.reveal_id", "case.view_person")
#: A department's views of the person, one per task page opened, are shown as one line per run of views.
GROUPED = "case.view_person"
#: The newest entries read, and the lines shown, of a person's record changes.
READ_LIMIT, SHOWN_LIMIT = 2000, 200


@register
def record_changes(veteran: Any, user: Any) -> Iterable[TimelineItem]:
    entries = AuditEntry.objects.filter(object_type="veterans.veteran", object_id=str(veteran.pk)).order_by("-seq")
    if not (user.can("veterans.reveal_id") or user.can("audit.view")):
        entries = entries.exclude(action__in=DISCLOSURES)
    fields = ("seq", "action", "actor_username", "created_at", "after", "reason")
    runs = _runs(entries.only(*fields)[:READ_LIMIT])
    for run in itertools.islice(runs, SHOWN_LIMIT):
        yield _item(run)


def _runs(entries: Iterable[AuditEntry]) -> Iterable[list[AuditEntry]]:
    """Consecutive views by one person (``GROUPED``) together; every other entry alone."""
    run: list[AuditEntry] = []
    for entry in entries:
        if run and entry.action == GROUPED == run[0].action and entry.actor_username == run[0].actor_username:
            run.append(entry)
            continue
        if run:
            yield run
        run = [entry]
    if run:
        yield run


def _item(run: list[AuditEntry]) -> TimelineItem:
    newest = run[0]
    title = action_label(newest.action) or newest.action
    if len(run) > 1:
        first, last = (timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M") for e in (run[-1], newest))
        note = _("%(actor)s viewed it %(count)s times (%(first)s – %(last)s)") % {
            "actor": newest.actor_username,
            "count": len(run),
            "first": first,
            "last": last,
        }
        return TimelineItem(timezone_date(newest.created_at), "audit", title, note)
    changed = dict.fromkeys(field_label(key) for key in sorted((newest.after or {}).keys() - {"categories"}))
    detail = "、".join(changed) if newest.action.endswith("update") else ""
    note = f"{newest.actor_username} {detail} {newest.reason}".strip()
    return TimelineItem(timezone_date(newest.created_at), "audit", title, note)


#: Keys whose model field has no name of its own to show (kept encrypted, or a generic "name")
_LABELS = {"phone": _("Phone"), "id_number": _("ID number"), "name": _("Name")}


def field_label(key: str) -> str:
    """A changed field as staff call it (``phone_masked`` → 电话): the field's own name, the code otherwise."""
    from django.core.exceptions import FieldDoesNotExist

    from veterans.models import Veteran, VeteranCategory

    name = key.removesuffix("_masked").removesuffix("_changed").removesuffix("_enc")
    if name in _LABELS:
        return str(_LABELS[name])
    for model in (Veteran, VeteranCategory):
        try:
            return str(getattr(model._meta.get_field(name), "verbose_name", key))
        except FieldDoesNotExist:
            continue
    return key


def timezone_date(value: dt.datetime) -> dt.date:
    return timezone.localtime(value).date()

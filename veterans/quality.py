"""Data-quality checks over the registry, each scoped to the user and cheap enough for a page."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, Q
from django.utils.translation import gettext_lazy as _

from veterans.models import Veteran, VeteranCategory

LIMIT = 100
#: Fields a complete record has, though the law does not require them at registration.
KEY_FIELDS = ["phone_enc", "address", "branch", "ethnicity", "political_status", "education"]


def suspected_duplicates(*, user: Any) -> list[dict[str, Any]]:
    """Same name and birth date under different ID numbers: often one person registered twice."""
    scoped = Veteran.objects.visible_to(user)
    groups = scoped.values("name", "birth_date").annotate(n=Count("id")).filter(n__gt=1).order_by("-n", "name")[:LIMIT]
    result = []
    for group in groups:
        people = list(scoped.filter(name=group["name"], birth_date=group["birth_date"]).select_related("region"))
        result.append({"name": group["name"], "birth_date": group["birth_date"], "people": people})
    return result


def missing_fields(*, user: Any) -> list[dict[str, Any]]:
    scoped = Veteran.objects.visible_to(user)
    result = []
    for name in KEY_FIELDS:
        missing = scoped.filter(**{name: ""})
        label = _("phone") if name == "phone_enc" else getattr(Veteran._meta.get_field(name), "verbose_name", name)
        result.append({"field": name, "label": label, "count": missing.count(),
                       "sample": list(missing.select_related("region").order_by("id")[:20])})  # fmt: skip
    return result


def category_conflicts(*, user: Any) -> list[dict[str, Any]]:
    """Periods of one category that overlap, and categories still open after the person's death."""
    visible = Veteran.objects.visible_to(user).values("id")
    periods = VeteranCategory.objects.filter(veteran__in=visible)
    found: list[dict[str, Any]] = []
    # One filter() call, so that every condition speaks of the same other period.
    pairs = periods.filter(
        Q(end_date__isnull=True) | Q(veteran__categories__start_date__lte=F("end_date")),
        Q(veteran__categories__end_date__isnull=True) | Q(start_date__lte=F("veteran__categories__end_date")),
        veteran__categories__category=F("category"),
        veteran__categories__id__gt=F("id"),
    ).select_related("veteran")[:LIMIT]
    for period in pairs:
        found.append({"veteran": period.veteran, "problem": "overlap", "category": period})
    after_death = (
        periods.filter(veteran__status="deceased")
        .filter(
            Q(end_date__isnull=True)
            | Q(end_date__gt=F("veteran__deceased_on"))
            | Q(start_date__gt=F("veteran__deceased_on"))
        )
        .select_related("veteran")[:LIMIT]
    )
    for period in after_death:
        found.append({"veteran": period.veteran, "problem": "after_death", "category": period})
    return found

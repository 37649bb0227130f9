"""Every scoped read of the martyrs' register, through ``visible_to`` (capability and region scope): the
martyrs, a martyr's family, a responsible person's families, the facilities, their upkeep and remembrance
visits; and, for a family member's 一人一档 page, that person's visits and needs from care and entitlements
from benefits, each read with its own module's scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet

from core.scoping import ScopedQuerySet
from martyrs.models import Martyr, MartyrFamily, Memorial, RecordChange, Remembrance, Upkeep


def martyrs(user: Any, *, q: str = "", within: str = "", synthetic: bool | None = None) -> QuerySet[Martyr]:
    """The martyrs the user may see, by name; narrowed by a name (or part), an area, demo or real."""
    qs = Martyr.objects.visible_to(user, within=within).select_related("memorial", "region")
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(unit__icontains=q) | Q(native_place__icontains=q))
    if synthetic is not None:
        qs = qs.filter(synthetic=synthetic)
    return qs.annotate(family_count=Count("family")).order_by("synthetic", "name", "id")


def family_of(user: Any, martyr: Martyr) -> QuerySet[MartyrFamily]:
    """The martyr's family members the user may see (each scoped by where the person lives)."""
    return (
        MartyrFamily.objects.visible_to(user)
        .filter(martyr=martyr)
        .select_related("veteran", "veteran__region", "responsible")
        .order_by("relation", "id")
    )


def family_get(user: Any) -> ScopedQuerySet[MartyrFamily]:
    return MartyrFamily.objects.visible_to(user).select_related(
        "martyr", "martyr__memorial", "veteran", "veteran__region", "responsible"
    )


def links_of(user: Any, veteran_id: int) -> QuerySet[MartyrFamily]:
    """The records of one person of the registry (a person may be the family of two martyrs)."""
    return family_get(user).filter(veteran_id=veteran_id).order_by("id")


def my_families(user: Any) -> list[Any]:
    """The family members the user answers for (专人对接), each with care's ``last_visit``, ``since`` and
    ``overdue`` (contacted within their frequency or not): overdue first."""
    from care.selectors import with_contact
    from veterans.models import Veteran

    rows: list[Any] = list(
        MartyrFamily.objects.visible_to(user, "view")
        .filter(responsible=user)
        .select_related("martyr", "veteran")
        .order_by("id")
    )
    contact = {v.pk: v for v in with_contact(Veteran.objects.filter(pk__in=[r.veteran_id for r in rows]))}
    for row in rows:
        person = contact.get(row.veteran_id)
        row.last_visit = getattr(person, "last_visit", None)
        row.overdue = getattr(person, "overdue", True)
    rows.sort(key=lambda r: (not r.overdue, r.last_visit or dt.date.min, r.pk))
    return rows


def history(user: Any, family: MartyrFamily) -> QuerySet[RecordChange]:
    return RecordChange.objects.visible_to(user).filter(family=family).select_related("changed_by")


def visits_of(user: Any, veteran_id: int) -> QuerySet[Any]:
    """care's visits of the person, as care shows them to this user (nothing without ``care.view``)."""
    from care.selectors import visits

    return visits(user, veteran=veteran_id)


def needs_of(user: Any, veteran_id: int) -> QuerySet[Any]:
    """care's needs of the person, as care shows them to this user."""
    from care.models import Need

    return (
        Need.objects.visible_to(user)
        .filter(case__veteran_id=veteran_id)
        .select_related("case")
        .order_by("-case__created_at", "-id")
    )


def entitlements_of(user: Any, veteran_id: int) -> QuerySet[Any]:
    """The person's entitlements (待遇), read-only, as benefits shows them to this user."""
    from benefits.models import Entitlement

    return Entitlement.objects.visible_to(user).filter(veteran_id=veteran_id).select_related("program").order_by(
        "from_month", "id")  # fmt: skip


def memorials(user: Any, *, condition: str = "", within: str = "") -> QuerySet[Memorial]:
    qs = Memorial.objects.visible_to(user, within=within).select_related("region")
    if condition:
        qs = qs.filter(condition=condition)
    return qs.annotate(martyr_count=Count("martyrs")).order_by("region_code", "name")


def resting_places(user: Any) -> QuerySet[Memorial]:
    """The facilities a martyr of the user's area may rest at: the area's, and those of the areas above it (the
    city's cemetery holds the towns' martyrs). Names only: a facility above the area is not the user's to open."""
    prefix = user.scope_prefix or ""
    if not prefix or not user.can("martyrs.view"):
        return Memorial.objects.none()
    above = [prefix[:n] for n in (2, 4, 6, 9, 12) if n <= len(prefix)]
    return Memorial.objects.filter(Q(region_code__startswith=prefix) | Q(region__prefix__in=above)).order_by(
        "region_code", "name")  # fmt: skip


def memorial_get(user: Any) -> ScopedQuerySet[Memorial]:
    return Memorial.objects.visible_to(user).select_related("region")


def upkeep_of(user: Any, memorial: Memorial) -> QuerySet[Upkeep]:
    """The facility's upkeep ledger, newest first, each row with its reversal."""
    return (
        Upkeep.objects.visible_to(user)
        .filter(memorial=memorial)
        .select_related("created_by", "reverses")
        .order_by("-done_on", "-id")
    )


def remembrances_of(user: Any, memorial: Memorial) -> QuerySet[Remembrance]:
    return Remembrance.objects.visible_to(user).filter(memorial=memorial).select_related("recorded_by")


def martyrs_at(user: Any, memorial: Memorial) -> QuerySet[Martyr]:
    return Martyr.objects.visible_to(user).filter(memorial=memorial).order_by("name", "id")

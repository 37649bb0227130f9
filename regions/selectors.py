"""Scoped reads of the service network."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.access import Target
from core.errors import invalid
from core.scoping import get_visible_or_404
from regions.models import GridLeaderTerm, Level, Region, Station

#: A URL names a region, or the station of a region, by the region's code (as region_get and station_get look up).
REGION = Target(Region, "code", "code")
STATION = Target(Station, "region__code", "code")


def region_list(*, user: Any, level: str = "", parent_code: str = "", q: str = "") -> QuerySet[Region]:
    qs = Region.objects.visible_to(user).select_related("parent")
    if level:
        qs = qs.filter(level=level)
    if parent_code:
        qs = qs.filter(parent__code=parent_code)
    if q:
        qs = qs.filter(Q(name__contains=q.strip()) | Q(code__startswith=q.strip()))
    return qs


def region_get(*, user: Any, code: str) -> Region:
    return get_visible_or_404(Region.objects.select_related("parent"), user, code=code)


def scoped_area(user: Any, code: str) -> Region:
    """The region named by ``code`` within the user's scope (their scope's region when none is given)."""
    code = (code or "").strip()
    if not code:
        if user.scope_region is None:
            raise invalid("region", _("No region has this code."), code="unknown_region")
        return user.scope_region
    found = Region.objects.visible_to(user).filter(code=code).first()
    if found is None:
        raise invalid("region", _("No region of your area has this code."), code="unknown_region")
    return found


def list_area(user: Any, code: str) -> tuple[Region | None, bool]:
    """The area a list is narrowed to (its ``?region=``, a region within the user's scope) or None when none is
    asked, and whether the code was refused (not one of the user's regions: the list says so)."""
    if not (code or "").strip():
        return None, False
    try:
        return scoped_area(user, code[:15]), False
    except ValidationError:
        return None, True


def region_children(*, user: Any, region: Region) -> QuerySet[Region]:
    return (
        Region.objects.visible_to(user)
        .filter(parent=region)
        .select_related("station")
        .annotate(child_count=Count("children"))
        .order_by("code")
    )


def root_regions(*, user: Any) -> QuerySet[Region]:
    """The top of what the user sees: their own scope region."""
    return (
        Region.objects.visible_to(user).filter(code=user.scope_region.code)
        if user.scope_region_id
        else (Region.objects.none())
    )


def station_list(
    *, user: Any, designation: str = "", kind: str = "", stars: int | None = None, q: str = ""
) -> QuerySet[Station]:
    qs = Station.objects.visible_to(user).select_related("region").prefetch_related("designations")
    if designation:
        qs = qs.filter(designations__designation=designation)
    if kind:
        qs = qs.filter(kind=kind)
    if stars:
        qs = qs.filter(star_ratings__stars=stars)
    if q:
        qs = qs.filter(Q(name__contains=q.strip()) | Q(region__code__startswith=q.strip()))
    return qs.distinct()


def station_get(*, user: Any, code: str) -> Station:
    return get_visible_or_404(Station.objects.select_related("region"), user, region__code=code)


def leader_terms(*, user: Any, grid: Region) -> QuerySet[GridLeaderTerm]:
    return GridLeaderTerm.objects.visible_to(user).filter(grid=grid).order_by("-start_date")


def current_leaders(*, user: Any, on: dt.date | None = None) -> QuerySet[GridLeaderTerm]:
    """Leaders in office on a day (today by default): a rotation dated ahead takes effect on its day."""
    day = on or timezone.localdate()
    return (
        GridLeaderTerm.objects.visible_to(user)
        .filter(start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .select_related("grid")
    )


def network_counts(*, user: Any) -> dict[str, int]:
    """Counts by level for the home page: one grouped query."""
    rows = Region.objects.visible_to(user).values("level").annotate(n=Count("id"))
    counts = {row["level"]: row["n"] for row in rows}
    return {
        "towns": counts.get(Level.TOWN, 0),
        "villages": counts.get(Level.VILLAGE, 0),
        "grids": counts.get(Level.GRID, 0),
        "stations": Station.objects.visible_to(user).count(),
        "leaders": current_leaders(user=user).count(),
    }


def names_of(codes: Any) -> dict[str, str]:
    """{code: name} for these region codes (the audit tables show regions by name); one query."""
    codes = [c for c in set(codes) if c]
    return dict(Region.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}

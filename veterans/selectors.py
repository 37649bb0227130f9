"""Scoped reads of the registry: the list with its filters and the one search box."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from core.pagination import count_up_to
from core.scoping import get_visible_or_404
from regions.models import prefix_of
from veterans.models import Veteran
from veterans.search import search_q
from veterans.validation import PARTY

SORTS: dict[str, tuple[str, ...]] = {
    "-id": ("id",),
    "name": ("name_pinyin", "id"),
    "birth_date": ("birth_date", "id"),
    "discharged_on": ("discharged_on", "id"),
}


@dataclass
class VeteranFilters:
    region: str = ""  # a town, village or grid code: everything under it
    q: str = ""
    category: str = ""
    discharge_type: str = ""
    branch: str = ""
    status: str = ""
    tag: str = ""
    age_min: int | None = None
    age_max: int | None = None
    party_member: bool | None = None
    party_age_min: int | None = None


def years_ago(years: int, today: dt.date) -> dt.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def search(qs: QuerySet[Veteran], q: str) -> QuerySet[Veteran]:
    """Name fragment, full pinyin or initials, the last 4-6 digits of the ID, the last 4 of the phone."""
    condition = search_q(q)
    return qs if condition is None else qs.filter(condition)


def veteran_list(*, user: Any, filters: VeteranFilters, today: dt.date | None = None) -> QuerySet[Veteran]:
    today = today or timezone.localdate()
    f = filters
    within = ""
    if f.region:
        # A town's code (330482001000) ends in zeros its villages' codes do not share: match by its prefix.
        within = prefix_of(f.region.strip())
    qs = Veteran.objects.visible_to(user, within=within).select_related("region")
    if f.category:
        qs = qs.filter(categories__category=f.category, categories__end_date__isnull=True)
    if f.discharge_type:
        qs = qs.filter(discharge_type=f.discharge_type)
    if f.branch:
        qs = qs.filter(branch=f.branch)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.tag:
        qs = qs.filter(tags__code=f.tag)
    if f.age_min is not None:
        qs = qs.filter(birth_date__lte=years_ago(f.age_min, today))
    if f.age_max is not None:
        qs = qs.filter(birth_date__gt=years_ago(f.age_max + 1, today))
    if f.party_member is not None:
        qs = qs.filter(political_status__in=PARTY) if f.party_member else qs.exclude(political_status__in=PARTY)
    if f.party_age_min is not None:
        qs = qs.filter(political_status__in=PARTY, party_joined_on__lte=years_ago(f.party_age_min, today))
    return search(qs, f.q).distinct() if (f.category or f.tag) else search(qs, f.q)


def veteran_total(*, user: Any) -> tuple[int, bool]:
    """How many records the user's scope holds, for the home page, counted as far as the registry counts
    (``count_up_to``): a province's 1.5 million is "more than 200,000", not a scan of its index."""
    return count_up_to(Veteran.objects.visible_to(user))


def veteran_get(*, user: Any, pk: int) -> Veteran:
    return get_visible_or_404(Veteran.objects.select_related("region"), user, pk=pk)

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from core.permissions import require
from core.scoping import get_visible_or_404
from petitions.models import Petition


def petition_list(
    *, user: Any, q: str = "", state: str = "", channel: str = "", subject: str = ""
) -> QuerySet[Petition]:
    require(user, "petitions.view")
    qs = Petition.objects.visible_to(user).select_related("case", "veteran")
    if q:
        qs = qs.filter(Q(case__number__icontains=q) | Q(petitioner_name__contains=q))
    if state:
        qs = qs.filter(case__state=state)
    if channel:
        qs = qs.filter(channel=channel)
    if subject:
        qs = qs.filter(subject=subject)
    return qs


def petition_by_case(*, user: Any, case_pk: int) -> Petition:
    require(user, "petitions.view")
    return get_visible_or_404(
        Petition.objects.select_related("case", "veteran", "linked_to__case"), user, case_id=case_pk
    )

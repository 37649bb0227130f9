from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from cases.models import LifeCase, Stage
from core.permissions import require
from core.scoping import get_visible_or_404

__all__ = ["Stage", "life_case_by_case", "life_case_list"]


def life_case_list(*, user: Any, stage: str = "", state: str = "", veteran: int | None = None) -> QuerySet[LifeCase]:
    require(user, "cases.view")
    qs = LifeCase.objects.visible_to(user).select_related("case", "case__veteran", "template")
    if stage:
        qs = qs.filter(stage=stage)
    if state:
        qs = qs.filter(case__state=state)
    if veteran:
        qs = qs.filter(case__veteran_id=veteran)
    return qs


def life_case_by_case(*, user: Any, case_pk: int) -> LifeCase:
    require(user, "cases.view")
    return get_visible_or_404(
        LifeCase.objects.select_related("case", "case__veteran", "template"), user, case_id=case_pk
    )

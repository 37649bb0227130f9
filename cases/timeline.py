"""The 一件事 cases of a veteran, on their timeline."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils import timezone

from cases.models import LifeCase
from veterans.timeline import TimelineItem, register


@register
def life_cases(veteran: Any, user: Any) -> Iterable[TimelineItem]:
    if not user.can("cases.view"):
        return
    for life in LifeCase.objects.visible_to(user).filter(case__veteran=veteran).select_related("case"):
        case = life.case
        url = reverse("cases:detail", args=[case.pk])
        yield TimelineItem(
            timezone.localdate(case.created_at),
            "cases",
            life.get_stage_display(),
            f"{case.number} · {case.get_state_display()}",
            url,
        )

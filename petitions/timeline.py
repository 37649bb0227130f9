"""The petitions a veteran made, on their timeline (for those who may see petitions)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from petitions.models import Petition
from veterans.timeline import TimelineItem, register


@register
def petitions(veteran: Any, user: Any) -> Iterable[TimelineItem]:
    if not user.can("petitions.view"):
        return
    for petition in Petition.objects.visible_to(user).filter(veteran=veteran).select_related("case"):
        case = petition.case
        title = _("Petition registered") if petition.level == "first" else petition.get_level_display()
        detail = f"{case.number} · {petition.get_subject_display()} · {case.get_state_display()}"
        url = reverse("petitions:detail", args=[petition.case_id])
        yield TimelineItem(petition.received_on, "petitions", title, detail, url)
        replied = case.date("replied")
        if replied:
            import datetime as dt

            yield TimelineItem(dt.date.fromisoformat(replied), "petitions", _("Petition answered"), case.number, url)

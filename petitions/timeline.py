"""The petitions a veteran made, on their timeline: the kit's provider over the register, and each written reply."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from petitions.models import Petition
from petitions.register import PETITIONS
from veterans.timeline import TimelineItem, register
from workflow.kit import subject_timeline


def _title(petition: Petition) -> Any:
    return _("Petition registered") if petition.level == "first" else petition.get_level_display()


petitions = register(subject_timeline(PETITIONS, title=_title, when=lambda petition: petition.received_on))


@register
def replies(veteran: Any, user: Any) -> Iterable[TimelineItem]:
    for petition in Petition.objects.visible_to(user).filter(veteran=veteran).select_related("case"):
        replied = petition.case.date("replied")
        if replied:
            url = reverse("petitions:detail", args=[petition.case_id])
            yield TimelineItem(
                dt.date.fromisoformat(replied), "petitions", _("Petition answered"), petition.case.number, url
            )

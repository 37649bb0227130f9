"""A veteran's hardship applications on their timeline, in the user's scope: each application when proposed,
with its state, and the grant when a ceremony paid it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from aid.models import Application
from veterans.timeline import TimelineItem, register


@register
def hardship_aid(veteran: Any, user: Any) -> Iterable[TimelineItem]:
    if not user.can("aid.view"):
        return
    applications = (
        Application.objects.visible_to(user).filter(veteran=veteran).select_related("case", "ceremony").order_by("-id")
    )
    for a in applications:
        url = reverse("aid:application", args=[a.case_id])
        asked = gettext("%(amount)s yuan asked") % {"amount": a.requested}
        detail = f"{a.case.number} · {a.get_need_display()} · {asked} · {a.case.get_state_display()}"
        yield TimelineItem(timezone.localdate(a.case.created_at), "aid", gettext("Hardship aid proposed"), detail, url)
        if a.ceremony is not None:
            paid = gettext("%(amount)s yuan paid at %(ceremony)s") % {"amount": a.approved, "ceremony": a.ceremony.name}
            yield TimelineItem(
                a.ceremony.held_on, "aid", gettext("Hardship aid paid"), f"{a.case.number} · {paid}", url
            )

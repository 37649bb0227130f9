"""A veteran's visits and needs on their timeline, in the user's scope: each visit (the way, who logged it) and
each need (linked to its page, with its state)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext

from care.models import Visit
from care.register import NEEDS
from veterans.timeline import TimelineItem, register
from workflow.kit import subject_timeline

#: The newest visits a timeline shows.
VISITS = 24


@register
def visits(veteran: Any, user: Any) -> Iterable[TimelineItem]:
    if not user.can("care.view"):
        return
    rows = Visit.objects.visible_to(user).filter(veteran=veteran).order_by("-visited_on", "-id")[:VISITS]
    url = reverse("care:visits") + f"?veteran={veteran.pk}"
    for v in rows:
        detail = v.get_mode_display() + (f" · {v.note[:80]}" if v.note else "")
        yield TimelineItem(v.visited_on, "care", gettext("Visit"), detail, url)


register(
    subject_timeline(NEEDS, title=lambda n: gettext("Need: %(category)s") % {"category": n.get_category_display()})
)

"""A person's records as a martyr's family member on their timeline, in the user's scope: when the record was
opened (their 一人一档, linked) and each change of it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from martyrs.models import MartyrFamily, RecordChange
from veterans.timeline import TimelineItem, register

#: The newest changes a timeline shows.
CHANGES = 12


@register
def martyr_family(veteran: Any, user: Any) -> Iterable[TimelineItem]:
    if not user.can("martyrs.view"):
        return
    links = list(MartyrFamily.objects.visible_to(user).filter(veteran=veteran).select_related("martyr"))
    for link in links:
        url = reverse("martyrs:family", args=[link.pk])
        detail = f"{link.martyr.name} · {link.get_relation_display()}"
        yield TimelineItem(timezone.localdate(link.created_at), "martyrs", gettext("Martyr's family member recorded"),
                           detail, url)  # fmt: skip
    changes = RecordChange.objects.visible_to(user).filter(family__in=links).select_related("family__martyr")
    for change in changes.order_by("-changed_at")[:CHANGES]:
        yield TimelineItem(timezone.localdate(change.changed_at), "martyrs", gettext("一人一档 record updated"),
                           change.family.martyr.name, reverse("martyrs:family", args=[change.family_id]))  # fmt: skip

"""A veteran's points on their timeline, in the user's scope: the newest ledger rows, each linked to the
veteran's ledger page (which keeps the whole history)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext

from points.models import PointEntry
from veterans.timeline import TimelineItem, register

#: The newest ledger rows a timeline shows.
ROWS = 24


@register
def points(veteran: Any, user: Any) -> Iterable[TimelineItem]:
    if not user.can("points.view"):
        return
    rows = (
        PointEntry.objects.visible_to(user)
        .filter(veteran=veteran)
        .select_related("version", "reward")
        .order_by("-id")[:ROWS]
    )
    url = reverse("points:ledger", args=[veteran.pk])
    for r in rows:
        if r.reverses_id:
            title = gettext("Points reversed")
        elif r.reward_id:
            title = gettext("Points redeemed")
        else:
            title = gettext("Merit points")
        what = r.reward.name if r.reward is not None else (r.version.name if r.version is not None else "")
        detail = f"{r.points:+d} · {what}" + (f" · {r.reason}" if r.reason else "")
        yield TimelineItem(r.day, "points", title, detail, url)

"""A veteran's campaigns on their timeline, in the user's scope: each gift received (a visit is on it already, as
the regular-contact visit the campaign logged)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext

from campaigns.models import CampaignGift
from veterans.timeline import TimelineItem, register


@register
def gifts(veteran: Any, user: Any) -> Iterable[TimelineItem]:
    if not user.can("campaigns.view"):
        return
    rows = CampaignGift.objects.visible_to(user).filter(target__veteran=veteran).select_related("campaign")[:24]
    for g in rows:
        url = reverse("campaigns:detail", args=[g.campaign_id])
        yield TimelineItem(g.given_on, "campaigns", gettext("Campaign gift: %(gift)s") % {"gift": g.campaign.gift_name},
                           g.campaign.name, url)  # fmt: skip

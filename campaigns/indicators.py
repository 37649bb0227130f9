"""走访慰问 campaigns for the cockpit, as ``campaigns.figures.coverage`` counts them: the people each campaign must
reach, those visited (全走访), and the households given the gift; by campaign and by the month it starts.

The targets' writes (a campaign opened or refreshed, an action marked, a gift given) send
``campaign_progressed`` with the regions of the targets they touched.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, CampaignGift, CampaignTarget
from cockpit.kit import Dim, Indicator, Measure, Period, declare

PEOPLE = _("people")


def campaign_names() -> dict[str, str]:
    return {str(pk): name for pk, name in Campaign.objects.order_by("-starts_on", "pk").values_list("pk", "name")}


def campaign_page(region_code: str, filters: Mapping[str, str]) -> str | None:
    """A campaign's coverage page for the area (there is one page per campaign)."""
    if set(filters) - {"campaign", "period"} or not filters.get("campaign", "").isdigit():
        return None
    url = reverse("campaigns:detail", kwargs={"pk": int(filters["campaign"])})
    return f"{url}?{urlencode({'region': region_code})}"


def _given() -> Exists:
    return Exists(CampaignGift.objects.filter(target_id=OuterRef("pk")))


declare(Indicator(
    key="campaigns.coverage", group=_("Care (关爱服务)"), name=_("Campaign visits (走访慰问)"),
    source=CampaignTarget.objects.all,
    measures=(
        Measure("reached", _("visited"), Count("id", filter=Q(visit_on__isnull=False)), PEOPLE),
        Measure("targets", _("to reach"), Count("id"), PEOPLE),
        Measure("gifts", _("given the gift"), Count("id", filter=Q(_given())), _("households")),
    ),
    rate=("reached", "targets"), period=Period("month", "campaign__starts_on"),
    dims=(Dim("campaign", _("Campaign"), "campaign_id", campaign_names),),
    watch=("campaign_progressed",), records=campaign_page, order=63, chart="bar",
))  # fmt: skip
